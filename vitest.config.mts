import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The examples' tests run under the same mocks: `npm test` covers them too.
    include: ["test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    // setMocks must run before any program module is imported (research/ecosystem.md section 6).
    setupFiles: ["./test/setup.ts"],
    testTimeout: 20_000,
  },
});
