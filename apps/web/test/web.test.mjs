// Invariants of the nginx configuration, the page and the image, checked without Docker or nginx.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { gunzipSync } from "node:zlib";
import { build } from "../build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (path) => readFileSync(join(root, path), "utf8");

/** Directives as single lines: comments dropped, whitespace collapsed. */
function directives(conf) {
  return conf
    .split("\n")
    .map((line) => line.replace(/#.*$/, "").trim().replace(/\s+/g, " "))
    .filter((line) => line !== "");
}

/** The body of the first `location <match> {` block. */
function locationBlock(conf, match) {
  const start = conf.indexOf(`location ${match} {`);
  assert.notEqual(start, -1, `no location ${match}`);
  const end = conf.indexOf("\n    }", start);
  return directives(conf.slice(start, end));
}

/** What the image's entrypoint does with NGINX_ENVSUBST_FILTER=^API_UPSTREAM. */
function render(template, env) {
  return template.replace(/\$\{(API_UPSTREAM[A-Z_]*)\}/g, (whole, name) => env[name] ?? whole);
}

const mainConf = read("nginx.conf");
const main = directives(mainConf);
const template = read("templates/default.conf.template");
const site = directives(template);
const dockerfile = read("Dockerfile");

describe("nginx.conf", () => {
  it("writes its pid file under /tmp", () => {
    assert.ok(main.includes("pid /tmp/nginx.pid;"));
  });

  it("keeps every temp path under /tmp, so the root filesystem can be read-only", () => {
    for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
      const directive = main.find((line) => line.startsWith(`${kind}_temp_path `));
      assert.match(directive ?? "", /^\w+_temp_path \/tmp\/\w+;$/, `${kind}_temp_path`);
    }
  });

  it("hides the nginx version and has no user directive (the image runs as uid 101)", () => {
    assert.ok(main.includes("server_tokens off;"));
    assert.equal(main.filter((line) => line.startsWith("user ")).length, 0);
  });

  it("logs to stdout and stderr rather than files", () => {
    assert.ok(main.includes("error_log /dev/stderr warn;"));
    assert.ok(main.includes("access_log /dev/stdout json;"));
  });

  it("serves precompressed files and compresses JSON", () => {
    assert.ok(main.includes("gzip_static on;"));
    assert.ok(main.includes("gzip on;"));
    assert.match(main.find((line) => line.startsWith("gzip_types ")) ?? "", /application\/json/);
  });

  it("includes the rendered site from /run/nginx, where the entrypoint renders it", () => {
    assert.ok(main.includes("include /run/nginx/*.conf;"));
    assert.ok(!main.includes("/etc/nginx/conf.d"));
  });
});

describe("default.conf.template", () => {
  it("listens on 8080 only", () => {
    assert.deepEqual(
      site.filter((line) => line.startsWith("listen ")),
      ["listen 8080;"],
    );
  });

  it("resolves the API through Docker's embedded DNS into a variable", () => {
    assert.ok(site.includes("resolver 127.0.0.11 valid=2s ipv6=off;"));
    assert.ok(site.includes("set $api_upstream ${API_UPSTREAM};"));
  });

  it("moves on to another API replica when one cannot be reached, as in a rolling update", () => {
    const api = locationBlock(template, "/api/");
    assert.ok(api.includes("proxy_next_upstream error timeout;"));
    assert.ok(api.includes("proxy_next_upstream_tries 2;"));
    assert.ok(!api.some((line) => line.includes("non_idempotent")));
  });

  it("proxies /api/ to the variable, keeping the /api prefix", () => {
    const api = locationBlock(template, "/api/");
    assert.deepEqual(
      api.filter((line) => line.startsWith("proxy_pass ")),
      ["proxy_pass http://$api_upstream;"],
    );
    assert.ok(api.includes("proxy_set_header X-Request-Id $request_id;"));
    for (const timeout of ["proxy_connect_timeout", "proxy_send_timeout", "proxy_read_timeout"]) {
      assert.ok(
        api.some((line) => line.startsWith(`${timeout} `)),
        timeout,
      );
    }
  });

  it("proxies nothing but /api/ (the API's /health and /metrics stay internal)", () => {
    assert.equal(site.filter((line) => line.startsWith("proxy_pass ")).length, 1);
  });

  it("answers /healthz with 200 itself", () => {
    assert.ok(locationBlock(template, "= /healthz").includes('return 200 "ok\\n";'));
  });

  it("sends the security headers on every response", () => {
    for (const header of [
      "X-Content-Type-Options",
      "X-Frame-Options",
      "Referrer-Policy",
      "Content-Security-Policy",
    ]) {
      const line = site.find((directive) => directive.startsWith(`add_header ${header} `));
      assert.ok(line?.endsWith(" always;"), header);
    }
    assert.equal(
      template.split("\n").filter((line) => line.includes("add_header") && line.startsWith("        "))
        .length,
      0,
      "add_header inside a location would drop the server-level headers there",
    );
  });

  it("allows the page's own script and nothing inline", () => {
    const csp = site.find((line) => line.startsWith("add_header Content-Security-Policy ")) ?? "";
    assert.match(csp, /script-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it("uses no template variable but API_UPSTREAM", () => {
    assert.deepEqual([...new Set(template.match(/\$\{\w+\}/g))], ["${API_UPSTREAM}"]);
  });

  it("renders with the default upstream into a config without placeholders", () => {
    const rendered = render(template, { API_UPSTREAM: "api:8080" });
    assert.ok(rendered.includes("set $api_upstream api:8080;"));
    assert.doesNotMatch(rendered, /\$\{/);
  });
});

describe("public/", () => {
  const html = read("public/index.html");

  it("references only files that exist", () => {
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    const local = refs.filter((ref) => !ref.startsWith("data:"));
    assert.deepEqual(local, ["/style.css", "/app.js"]);
    for (const ref of local) assert.ok(existsSync(join(root, "public", ref)), ref);
  });

  it("has no inline script, event handler or style the CSP would block", () => {
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.doesNotMatch(html, /\sstyle=/i);
  });

  it("ships app.js as valid script that calls only same-origin /api/ paths", () => {
    const app = read("public/app.js");
    assert.doesNotThrow(() => new vm.Script(app, { filename: "app.js" }));
    // Absolute paths, and the segments appended to /api/todos/<id> (app.test.mjs checks the
    // requests app.js really makes).
    const paths = [...app.matchAll(/"(\/[^"]*)"/g)].map((match) => match[1]);
    assert.deepEqual([...new Set(paths)].sort(), [
      "/api/health",
      "/api/todos",
      "/api/todos/",
      "/blocks/",
      "/links",
      "/relates_to/",
    ]);
    assert.doesNotMatch(app, /innerHTML/);
  });

  it("has every element app.js looks up by id", () => {
    const app = read("public/app.js");
    const ids = [...app.matchAll(/getElementById\("([^"]+)"\)/g)].map((match) => match[1]);
    assert.deepEqual(ids, ["new-todo", "title", "todos", "empty", "error", "health", "links-notice"]);
    for (const id of ids) assert.match(html, new RegExp(`\\sid="${id}"`), id);
  });
});

describe("build.mjs", () => {
  it("copies public/ and adds a gzip twin that decompresses to each text file", () => {
    const out = mkdtempSync(join(tmpdir(), "web-build-"));
    try {
      const files = build(join(root, "public"), out);
      assert.deepEqual(files, [
        "app.js",
        "app.js.gz",
        "index.html",
        "index.html.gz",
        "style.css",
        "style.css.gz",
      ]);
      for (const file of ["app.js", "index.html", "style.css"]) {
        const original = readFileSync(join(root, "public", file));
        assert.deepEqual(readFileSync(join(out, file)), original);
        assert.deepEqual(gunzipSync(readFileSync(join(out, `${file}.gz`))), original);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("Dockerfile", () => {
  it("pins both base images, with no latest", () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-alpine\d+\.\d+$/m);
    assert.match(dockerfile, /^ARG NGINX_IMAGE=nginxinc\/nginx-unprivileged:1\.27-alpine$/m);
    assert.doesNotMatch(dockerfile, /:latest\b/);
  });

  it("ends with the runtime stage running as uid 101 with a /healthz healthcheck", () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((match) => match.slice(1));
    assert.deepEqual(stages, [
      ["${NODE_IMAGE}", "build"],
      ["${NGINX_IMAGE}", "runtime"],
    ]);
    const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"));
    assert.match(runtime, /^USER 101:101$/m);
    assert.match(runtime, /^EXPOSE 8080$/m);
    assert.match(runtime, /CMD \["wget", "-q", "-O-", "http:\/\/127\.0\.0\.1:8080\/healthz"\]/);
  });

  it("defaults API_UPSTREAM to api:8080 and installs the config where the entrypoint expects it", () => {
    assert.match(dockerfile, /API_UPSTREAM=api:8080/);
    assert.match(dockerfile, /^COPY --chown=0:0 nginx\.conf \/etc\/nginx\/nginx\.conf$/m);
    assert.match(dockerfile, /^COPY --chown=0:0 templates\/ \/etc\/nginx\/templates\/$/m);
  });

  it("has no syntax directive, which would pull a frontend image", () => {
    assert.doesNotMatch(dockerfile, /^# *syntax=/m);
  });
});
