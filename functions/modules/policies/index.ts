/** The policies module's public entry: what other modules may use. */
export { InsuredObjectSchema, normalisePolicyNumber } from './policies.model.js';
