/**
 * Imported first by main.ts, so it runs before any module that builds an SDK client or a logger:
 * the AWS SDK's Node 20 notice (pinned SDK versions, Lambda runs Node 22, as `npm start` says) and
 * the handlers' log lines would otherwise interleave with the bench's progress.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
