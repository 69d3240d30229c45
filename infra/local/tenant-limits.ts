/**
 * The tenant limits of the local stack. One process stands in for the whole fleet here, so the
 * per-instance limits (functions/shared/env.ts holds the cloud's defaults) are set far above what
 * the bench and the e2e tests send: 1,000 API tokens a second, 6,000 deliveries a minute. A variable
 * already set before the stack starts wins, so a test or a developer can try small limits locally.
 */
export function localTenantLimits(env: Record<string, string | undefined>): Record<string, string> {
  const defaults: Record<string, string> = {
    API_TENANT_RATE_PER_SECOND: '1000',
    API_TENANT_BURST: '2000',
    WEBHOOK_TENANT_DELIVERIES_PER_MINUTE: '6000',
    WEBHOOK_INSURER_DELIVERIES_PER_MINUTE: '6000',
  };
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, env[name] ?? value]));
}
