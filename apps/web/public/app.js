// Todo UI: talks to the API through nginx under /api/. Plain script, no build step; DOM nodes
// are built with textContent only, so todo titles can never inject markup.
"use strict";

(function () {
  const HEALTH_INTERVAL_MS = 10000;

  const form = document.getElementById("new-todo");
  const input = document.getElementById("title");
  const list = document.getElementById("todos");
  const empty = document.getElementById("empty");
  const errorBox = document.getElementById("error");
  const health = document.getElementById("health");

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

  function showError(error) {
    errorBox.textContent = error ? error.message : "";
    errorBox.hidden = !error;
  }

  function renderTodo(todo) {
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
    return item;
  }

  async function refresh() {
    const todos = await api("GET", "/api/todos");
    list.replaceChildren.apply(list, todos.map(renderTodo));
    empty.hidden = todos.length > 0;
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
