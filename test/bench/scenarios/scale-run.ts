/**
 * The scale simulation in a process of its own: it starts a local stack in process with every
 * consumer tagged, and the handlers' runtime (clients, environment) is made once per process. Logs
 * go to stderr; the figures are the last line of stdout, as JSON.
 */
import '../support/quiet-env.js';
import { benchScale } from './scale.js';

const figures = await benchScale((line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
