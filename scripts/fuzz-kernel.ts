/**
 * Fuzzing of the contact kernel (`npm run fuzz`, after the ISO 8583 ones): whole transactions
 * in process against the project's virtual cards with their answers mangled (engine:
 * scripts/fuzz-kernel-engine.ts). Prints one line per failure (seed, index, card, mutations,
 * what was thrown), then the summary; exits 1 when any run failed.
 *
 *   npx tsx scripts/fuzz-kernel.ts [--count 100000] [--seed 1003] [--budget-ms 2000]
 *   npx tsx scripts/fuzz-kernel.ts --seed 1003 --only 17,4242   (play runs again)
 */
import { parseArgs } from 'node:util';
import { describeRun, fuzzKernel, fuzzSubjects, summaryLine } from './fuzz-kernel-engine';

const { values } = parseArgs({ options: {
  count: { type: 'string', default: '100000' },
  seed: { type: 'string', default: '1003' },
  'budget-ms': { type: 'string', default: '2000' },
  only: { type: 'string' },
} });
const seed = Number(values.seed);
const count = Number(values.count);
const only = values.only?.split(',').map(Number);

const subjects = await fuzzSubjects();
const runs = only ? `runs ${only.join(',')}` : `${count} runs`;
console.log(`EMV kernel fuzz — seed ${seed}, ${runs} over ${subjects.length} cards ` +
  `(${subjects.map((s) => s.name).join(', ')})`);
const started = performance.now();
const cpu = process.cpuUsage();
let shown = 0;
const result = await fuzzKernel({
  count, seed, only, subjects, budgetMs: Number(values['budget-ms']),
  onFailure: (run) => {
    if (shown++ < 200) console.log(`FAIL ${describeRun(seed, run)}`);
  },
});
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
if (only) {
  for (const index of only) {
    const run = result.failures.find((f) => f.index === index);
    if (!run) console.log(`run ${index}: passed`);
  }
}
console.log(`mutation kinds: ${[...result.byMutation].map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(summaryLine(result));
console.log(`${result.runs} runs in ${seconds.toFixed(1)} s, ${cpuSeconds.toFixed(1)} s CPU ` +
  `(${(result.runs / seconds).toFixed(0)} runs/s)`);
process.exitCode = result.failures.length > 0 ? 1 : 0;
