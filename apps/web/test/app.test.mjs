// Behaviour of public/app.js: the real script runs in a vm against a small fake DOM and a fake
// fetch that answers like the API, so no browser is needed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import vm from "node:vm";

const source = readFileSync(new URL("../public/app.js", import.meta.url), "utf8");
const html = readFileSync(new URL("../public/index.html", import.meta.url), "utf8");

/** Just the DOM that app.js uses: elements, text, attributes, listeners and select values. */
class FakeElement {
  constructor(tagName) {
    this.tagName = tagName.toUpperCase();
    this.childNodes = [];
    this.attributes = {};
    this.listeners = {};
    this.className = "";
    this.hidden = false;
    this.checked = false;
    this.type = "";
    this.ownText = "";
    this.explicitValue = undefined;
  }

  /** Elements only, as in the DOM: text appended as strings is not counted. */
  get children() {
    return this.childNodes.filter((node) => typeof node !== "string");
  }

  get textContent() {
    return (
      this.ownText +
      this.childNodes.map((node) => (typeof node === "string" ? node : node.textContent)).join("")
    );
  }

  set textContent(text) {
    this.ownText = String(text);
    this.childNodes = [];
  }

  /** A select without a chosen value has its first option's, as in the DOM. */
  get value() {
    if (this.explicitValue !== undefined) return this.explicitValue;
    if (this.tagName === "SELECT")
      return this.children.find((child) => child.tagName === "OPTION")?.value ?? "";
    return "";
  }

  set value(value) {
    this.explicitValue = String(value);
  }

  append(...nodes) {
    this.childNodes.push(...nodes);
  }

  replaceChildren(...nodes) {
    this.childNodes = nodes;
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  addEventListener(type, listener) {
    (this.listeners[type] ??= []).push(listener);
  }

  dispatch(type) {
    for (const listener of this.listeners[type] ?? []) listener({ type, preventDefault() {} });
  }

  /** This element and every element below it, in document order. */
  *walk() {
    yield this;
    for (const child of this.children) yield* child.walk();
  }

  findAll(predicate) {
    return [...this.walk()].filter(predicate);
  }

  find(predicate) {
    const found = this.findAll(predicate)[0];
    assert.ok(found, "element not found");
    return found;
  }
}

const byClass = (name) => (element) => element.className.split(" ").includes(name);

const TODOS = [
  { id: 1, title: "design", done: false },
  { id: 2, title: "build", done: false },
  { id: 3, title: "test", done: false },
];

const NO_LINKS = { blocks: [], blockedBy: [], relatesTo: [] };

/**
 * Runs app.js against a fake API. `answer(method, path, body)` may return `{ status, body }`, or
 * a promise of it, to override the default answers: the todos, `links[id]` or no links, 201 and 204 for writes.
 */
async function startApp({ links = {}, answer = () => undefined } = {}) {
  // The page's elements as index.html has them: tag and whether they start hidden.
  const elements = new Map();
  for (const [, tagName, id, attributes] of html.matchAll(/<(\w+) id="([^"]+)"([^>]*)>/g)) {
    const element = new FakeElement(tagName);
    element.hidden = /\shidden(\s|$)/.test(attributes);
    elements.set(id, element);
  }
  const document = {
    getElementById(id) {
      assert.ok(elements.has(id), `index.html has no element #${id}`);
      return elements.get(id);
    },
    createElement: (tagName) => new FakeElement(tagName),
  };
  const requests = [];
  const fetch = async (path, init = {}) => {
    const method = init.method ?? "GET";
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    requests.push(body === undefined ? { method, path } : { method, path, body });
    const linkMatch = /^\/api\/todos\/(\d+)\/links$/.exec(path);
    // An answer may be a promise, e.g. one that never settles, like a graph that hangs.
    const response = (await answer(method, path, body)) ??
      (method === "POST" ? { status: 201, body: NO_LINKS } : undefined) ??
      (method === "DELETE" ? { status: 204 } : undefined) ??
      (path === "/api/health" ? { status: 200, body: { status: "ok" } } : undefined) ??
      (path === "/api/todos" ? { status: 200, body: TODOS } : undefined) ??
      (linkMatch ? { status: 200, body: links[linkMatch[1]] ?? NO_LINKS } : undefined) ?? {
        status: 404,
        body: { error: `no route for ${path}` },
      };
    return {
      status: response.status,
      ok: response.status >= 200 && response.status < 300,
      json: async () => {
        if (response.body === undefined) throw new SyntaxError("Unexpected end of JSON input");
        return response.body;
      },
    };
  };
  vm.runInNewContext(source, { document, fetch, setInterval: () => 0 }, { filename: "app.js" });
  await settle();
  const list = elements.get("todos");
  return {
    requests,
    list,
    notice: elements.get("links-notice"),
    errorBox: elements.get("error"),
    /** The `li` of the todo with this title. */
    item: (title) =>
      list.children.find((item) => item.find((el) => el.tagName === "SPAN").textContent === title),
  };
}

/** The fake fetch answers at once, so one macrotask turn lets every pending promise settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The text of each link of a todo, without its × button. */
function linkTexts(item) {
  return item.findAll(byClass("link")).map((link) => link.children[0].textContent);
}

describe("app.js links", () => {
  it("shows each todo's links with the other todo's number and title, separated by a dot", async () => {
    const app = await startApp({ links: { 2: { blocks: [3], blockedBy: [1], relatesTo: [1, 9] } } });
    const item = app.item("build");
    assert.deepEqual(linkTexts(item), [
      "blocks #3 test",
      "blocked by #1 design",
      "relates to #1 design",
      "relates to #9",
    ]);
    assert.equal(
      item.find(byClass("links")).textContent,
      "blocks #3 test× · blocked by #1 design× · relates to #1 design× · relates to #9×",
    );
    assert.equal(app.item("design").find(byClass("links")).hidden, true);
    assert.equal(app.notice.hidden, true);
  });

  it("reads every todo's links once per refresh, only under /api/", async () => {
    const app = await startApp();
    assert.deepEqual(app.requests.map((request) => `${request.method} ${request.path}`).sort(), [
      "GET /api/health",
      "GET /api/todos",
      "GET /api/todos/1/links",
      "GET /api/todos/2/links",
      "GET /api/todos/3/links",
    ]);
  });

  for (const [label, expected] of [
    ["blocks #3 test", "/api/todos/2/links/blocks/3"],
    ["blocked by #1 design", "/api/todos/1/links/blocks/2"],
    ["relates to #1 design", "/api/todos/2/links/relates_to/1"],
  ]) {
    it(`removes the link "${label}" with DELETE ${expected}, then refreshes`, async () => {
      const app = await startApp({ links: { 2: { blocks: [3], blockedBy: [1], relatesTo: [1] } } });
      const link = app
        .item("build")
        .find((el) => byClass("link")(el) && el.children[0].textContent === label);
      const unlink = link.find(byClass("unlink"));
      assert.equal(unlink.attributes["aria-label"], `Remove link: build ${label}`);
      app.requests.length = 0;
      unlink.dispatch("click");
      await settle();
      assert.deepEqual(app.requests.slice(0, 2), [
        { method: "DELETE", path: expected },
        { method: "GET", path: "/api/todos" },
      ]);
    });
  }

  it("adds a link from the form: by default, blocks the first other todo", async () => {
    const app = await startApp();
    const form = app
      .item("build")
      .find(byClass("link-form"))
      .find((el) => el.tagName === "FORM");
    const [type, target] = form.findAll((el) => el.tagName === "SELECT");
    assert.deepEqual(
      target.children.map((option) => [option.value, option.textContent]),
      [
        ["1", "#1 design"],
        ["3", "#3 test"],
      ],
    );
    assert.deepEqual(
      type.children.map((option) => option.value),
      ["blocks", "blocked_by", "relates_to"],
    );
    app.requests.length = 0;
    form.dispatch("submit");
    await settle();
    assert.deepEqual(app.requests[0], {
      method: "POST",
      path: "/api/todos/2/links",
      body: { type: "blocks", target: 1 },
    });
  });

  it("adds a blocked-by link as the other todo's blocks link", async () => {
    const app = await startApp();
    const form = app.item("build").find((el) => el.tagName === "FORM");
    const [type, target] = form.findAll((el) => el.tagName === "SELECT");
    type.value = "blocked_by";
    target.value = "3";
    app.requests.length = 0;
    form.dispatch("submit");
    await settle();
    assert.deepEqual(app.requests[0], {
      method: "POST",
      path: "/api/todos/3/links",
      body: { type: "blocks", target: 2 },
    });
  });

  it("shows a refused link, such as a cycle, as the page's error", async () => {
    const error = "todo 1 already blocks todo 2; linking would create a cycle";
    const app = await startApp({
      answer: (method) => (method === "POST" ? { status: 409, body: { error } } : undefined),
    });
    app
      .item("design")
      .find((el) => el.tagName === "FORM")
      .dispatch("submit");
    await settle();
    assert.equal(app.errorBox.textContent, error);
    assert.equal(app.errorBox.hidden, false);
  });

  it("hides the link form of a todo that has nothing to link to", async () => {
    const app = await startApp({
      answer: (method, path) => (path === "/api/todos" ? { status: 200, body: [TODOS[0]] } : undefined),
    });
    assert.equal(app.item("design").find(byClass("link-form")).hidden, true);
  });
});

describe("app.js without the graph", () => {
  const graphDown = (method, path) =>
    /\/links$/.test(path)
      ? { status: 503, body: { error: "graph unavailable: ServiceUnavailable" } }
      : undefined;

  it("shows the quiet notice, no links and no link forms, and keeps the todos", async () => {
    const app = await startApp({ answer: graphDown });
    assert.equal(app.notice.hidden, false);
    assert.equal(app.errorBox.hidden, true);
    assert.deepEqual(
      app.list.children.map((item) => item.find((el) => el.tagName === "SPAN").textContent),
      ["design", "build", "test"],
    );
    assert.deepEqual(app.list.findAll(byClass("links")), []);
    assert.deepEqual(app.list.findAll(byClass("link-form")), []);
  });

  it("shows the todos before their links arrive", async () => {
    const app = await startApp({
      answer: (method, path) => (/\/links$/.test(path) ? new Promise(() => {}) : undefined),
    });
    assert.deepEqual(
      app.list.children.map((item) => item.find((el) => el.tagName === "SPAN").textContent),
      ["design", "build", "test"],
    );
    assert.equal(app.notice.hidden, true);
    assert.deepEqual(app.list.findAll(byClass("links")), []);
  });

  it("keeps deleting todos", async () => {
    const app = await startApp({ answer: graphDown });
    app.requests.length = 0;
    app.item("test").find(byClass("delete")).dispatch("click");
    await settle();
    assert.deepEqual(app.requests[0], { method: "DELETE", path: "/api/todos/3" });
  });

  it("hides the notice again once links answer", async () => {
    let down = true;
    const app = await startApp({ answer: (method, path) => (down ? graphDown(method, path) : undefined) });
    assert.equal(app.notice.hidden, false);
    down = false;
    app.item("test").find(byClass("delete")).dispatch("click");
    await settle();
    assert.equal(app.notice.hidden, true);
    assert.equal(app.list.findAll(byClass("link-form")).length, 3);
  });
});
