import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The process's structured logger (Powertools: JSON lines with the Lambda request id). The level
 * comes from POWERTOOLS_LOG_LEVEL, which Powertools reads itself; the local stack and tests set it.
 */
export const logger = new Logger({ serviceName: 'broker-crm' });
