// Prints the gzip size of every file in ui/dist and fails when the total exceeds the budget.
// Usage: node scripts/bundle-size.mjs [budget-kB]   (run `npm run build` first)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const budgetKb = Number(process.argv[2] ?? 250);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let total = 0;
let raw = 0;
const rows = files(dist)
  .sort()
  .map((path) => {
    const bytes = readFileSync(path);
    const gz = gzipSync(bytes, { level: 9 }).length;
    total += gz;
    raw += bytes.length;
    return [relative(dist, path), bytes.length, gz];
  });
for (const [name, size, gz] of rows) {
  console.log(`${(gz / 1024).toFixed(1).padStart(8)} kB gzip ${(size / 1024).toFixed(1).padStart(8)} kB  ${name}`);
}
const kb = total / 1024;
console.log(`${kb.toFixed(1).padStart(8)} kB gzip ${(raw / 1024).toFixed(1).padStart(8)} kB  total (budget ${budgetKb} kB gzip)`);
if (rows.length === 0 || kb > budgetKb) {
  console.error(rows.length === 0 ? "ui/dist is empty: run `npm run build`" : `the UI bundle is over budget`);
  process.exit(1);
}
