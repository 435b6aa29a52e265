// Reads Vitest's JSON report and fails when any test was skipped or none ran:
// in CI the PostgreSQL and Redis tests must run, not quietly skip.
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const skipped = [];
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    if (test.status === "skipped" || test.status === "pending" || test.status === "todo") {
      skipped.push(`${file.name}: ${test.fullName}`);
    }
  }
}
if (report.numTotalTests === 0) {
  console.error("check: no test ran");
  process.exit(1);
}
if (skipped.length > 0) {
  console.error(`check: ${skipped.length} test(s) were skipped; every test must run here:`);
  for (const line of skipped) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed`);
