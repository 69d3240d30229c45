/** The clients module's public entry: what other modules may use. */
export { normaliseId } from './clients.model.js';
