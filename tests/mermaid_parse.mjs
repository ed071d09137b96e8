// Parses Mermaid files with the real Mermaid parser; prints "OK <file>" or "FAIL <file>: <why>".
// Used by tests/test_graph.py with INTAKE_MERMAID_MODULES naming a node_modules folder that has
// mermaid and jsdom (the repository's own: bash scripts/test installs them).
import { createRequire } from "module";
import fs from "fs";
import path from "path";

const modules = process.env.INTAKE_MERMAID_MODULES;
const require = createRequire(path.join(modules, "noop.js"));
const { JSDOM } = require("jsdom");
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(require.resolve("mermaid"))).default;
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(fs.readFileSync(file, "utf8"));
    console.log(`OK ${file}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${file}: ${String(e.message || e).slice(0, 300)}`);
  }
}
process.exit(failed ? 1 : 0);
