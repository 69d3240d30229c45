/**
 * The report-export scenario in a process of its own: it starts a local stack in process, and the
 * handlers' runtime (clients, environment) is made once per process, so after the bench's main
 * stack it needs a fresh one. Logs go to stderr; the figures are the last line of stdout, as JSON.
 */
import { benchReportExport } from './report-export.js';

const figures = await benchReportExport((line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
