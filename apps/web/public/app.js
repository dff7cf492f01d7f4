// Todo UI: talks to the API through nginx under /api/. Plain script, no build step; DOM nodes
// are built with textContent only, so todo titles can never inject markup.
"use strict";

(function () {
  const HEALTH_INTERVAL_MS = 10000;

  // The lists of GET /api/todos/:id/links, how each reads, and the DELETE that removes a link
  // (a "blocked by" link is the other todo's "blocks" link).
  const LINK_KINDS = [
    {
      key: "blocks",
      label: "blocks",
      unlinkPath: function (id, other) {
        return linksPath(id) + "/blocks/" + other;
      },
    },
    {
      key: "blockedBy",
      label: "blocked by",
      unlinkPath: function (id, other) {
        return linksPath(other) + "/blocks/" + id;
      },
    },
    {
      key: "relatesTo",
      label: "relates to",
      unlinkPath: function (id, other) {
        return linksPath(id) + "/relates_to/" + other;
      },
    },
  ];

  const form = document.getElementById("new-todo");
  const input = document.getElementById("title");
  const list = document.getElementById("todos");
  const empty = document.getElementById("empty");
  const errorBox = document.getElementById("error");
  const health = document.getElementById("health");
  const linksNotice = document.getElementById("links-notice");

  async function api(method, path, body) {
    const init = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return undefined;
    const data = await response.json().catch(function () {
      return { error: "unexpected response (" + response.status + ")" };
    });
    if (!response.ok) throw new Error(data.error || "request failed (" + response.status + ")");
    return data;
  }

  function linksPath(id) {
    return "/api/todos/" + id + "/links";
  }

  function showError(error) {
    errorBox.textContent = error ? error.message : "";
    errorBox.hidden = !error;
  }

  function renderTodo(todo, links, todos) {
    const item = document.createElement("li");
    item.className = todo.done ? "todo done" : "todo";

    const label = document.createElement("label");
    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    checkbox.checked = todo.done;
    checkbox.addEventListener("change", function () {
      run(api("PATCH", "/api/todos/" + todo.id, { done: checkbox.checked }));
    });
    const title = document.createElement("span");
    title.textContent = todo.title;
    label.append(checkbox, title);

    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "delete";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", "Delete " + todo.title);
    remove.addEventListener("click", function () {
      run(api("DELETE", "/api/todos/" + todo.id));
    });

    item.append(label, remove);
    if (links) item.append(renderLinks(todo, links, todos), renderLinkForm(todo, todos));
    return item;
  }

  /** "blocks #3 Title × · blocked by #1 Title ×", hidden when the todo has no links. */
  function renderLinks(todo, links, todos) {
    const line = document.createElement("p");
    line.className = "links";
    LINK_KINDS.forEach(function (kind) {
      links[kind.key].forEach(function (other) {
        if (line.children.length > 0) line.append(" · ");
        line.append(renderLink(todo, kind, other, todos));
      });
    });
    line.hidden = line.children.length === 0;
    return line;
  }

  function renderLink(todo, kind, other, todos) {
    const target = todos.find(function (candidate) {
      return candidate.id === other;
    });
    const text = kind.label + " #" + other + (target ? " " + target.title : "");
    const link = document.createElement("span");
    link.className = "link";
    const name = document.createElement("span");
    name.textContent = text;
    const unlink = document.createElement("button");
    unlink.type = "button";
    unlink.className = "unlink";
    unlink.textContent = "×";
    unlink.setAttribute("aria-label", "Remove link: " + todo.title + " " + text);
    unlink.addEventListener("click", function () {
      run(api("DELETE", kind.unlinkPath(todo.id, other)));
    });
    link.append(name, unlink);
    return link;
  }

  function option(value, text) {
    const element = document.createElement("option");
    element.value = value;
    element.textContent = text;
    return element;
  }

  /** Folded away under "Link", so the list looks as it did until someone wants a link. */
  function renderLinkForm(todo, todos) {
    const others = todos.filter(function (other) {
      return other.id !== todo.id;
    });
    const details = document.createElement("details");
    details.className = "link-form";
    details.hidden = others.length === 0;
    const summary = document.createElement("summary");
    summary.textContent = "Link";

    const form = document.createElement("form");
    const type = document.createElement("select");
    type.setAttribute("aria-label", "Link type for " + todo.title);
    type.append(
      option("blocks", "blocks"),
      option("blocked_by", "blocked by"),
      option("relates_to", "relates to"),
    );
    const target = document.createElement("select");
    target.setAttribute("aria-label", "Todo to link " + todo.title + " to");
    target.append.apply(
      target,
      others.map(function (other) {
        return option(String(other.id), "#" + other.id + " " + other.title);
      }),
    );
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = "Add link";
    form.append(type, target, submit);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const other = Number(target.value);
      run(
        type.value === "blocked_by"
          ? api("POST", linksPath(other), { type: "blocks", target: todo.id })
          : api("POST", linksPath(todo.id), { type: type.value, target: other }),
      );
    });

    details.append(summary, form);
    return details;
  }

  /**
   * Each todo's links by id, or null when they cannot be read (the graph answers 503 while
   * Neo4j is down or not configured): the todos then show without links, fully usable.
   */
  async function loadLinks(todos) {
    try {
      const entries = await Promise.all(
        todos.map(function (todo) {
          return api("GET", linksPath(todo.id)).then(function (links) {
            return [todo.id, links];
          });
        }),
      );
      linksNotice.hidden = true;
      return new Map(entries);
    } catch (error) {
      linksNotice.hidden = false;
      return null;
    }
  }

  function render(todos, links) {
    list.replaceChildren.apply(
      list,
      todos.map(function (todo) {
        return renderTodo(todo, links && links.get(todo.id), todos);
      }),
    );
    empty.hidden = todos.length > 0;
  }

  // The links last read, shown while fresh ones load so the list does not jump on every change.
  let shownLinks = null;

  /** Todos first: a graph that is slow to answer must not hold up the list. */
  async function refresh() {
    const todos = await api("GET", "/api/todos");
    render(todos, shownLinks);
    shownLinks = await loadLinks(todos);
    render(todos, shownLinks);
  }

  /** Awaits a write, then reloads the list even after a failure so the page matches the server. */
  function run(write) {
    return write
      .then(function () {
        showError(null);
      }, showError)
      .then(refresh)
      .catch(showError);
  }

  async function checkHealth() {
    let status = "unreachable";
    try {
      const response = await fetch("/api/health", { headers: { Accept: "application/json" } });
      status = (await response.json()).status || status;
    } catch (error) {
      // Network failure or non-JSON answer (e.g. nginx without an API): keep "unreachable".
    }
    health.textContent = "API: " + status;
    health.className = "health health-" + status;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const title = input.value.trim();
    if (title === "") return;
    run(
      api("POST", "/api/todos", { title: title }).then(function () {
        input.value = "";
      }),
    );
  });

  run(Promise.resolve());
  checkHealth();
  setInterval(checkHealth, HEALTH_INTERVAL_MS);
})();
