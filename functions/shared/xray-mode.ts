/**
 * Imported by observability.ts before the tracer, so it runs before the X-Ray SDK loads. In its
 * default automatic mode the SDK creates a cls-hooked namespace at import, an async hook with
 * init, before, after and destroy callbacks on every promise and socket of the process: in the
 * local stack and the bench it was a tenth of all CPU. Where the Powertools tracer disables itself
 * (outside Lambda: no AWS_EXECUTION_ENV; or POWERTOOLS_TRACE_ENABLED=false) nothing reads that
 * context, so the SDK starts in manual mode and installs no hook. In Lambda with tracing on,
 * automatic mode stays: it is what carries the handler's segment to the DynamoDB subsegments.
 */
const tracingOff =
  !process.env.AWS_EXECUTION_ENV || process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false';
if (tracingOff) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

export {};
