import type { CampaignClients, CampaignOrg, SigningKeys } from './ports.js';
import { languageOf, unsubscribePage } from './unsubscribe-page.js';
import { verifyUnsubscribe } from './unsubscribe-token.js';

/** What the unsubscribe route answers: a status and a small HTML page. */
export interface UnsubscribeResponse {
  statusCode: number;
  html: string;
}

/**
 * `GET /unsubscribe/{token}`: a valid token withdraws the client's marketing e-mail consent (a
 * consent record with its timeline entry; a repeat adds nothing) and confirms in the tenant's
 * language; anything else answers 400 in English, naming no tenant.
 */
export class UnsubscribeService {
  constructor(
    private readonly clients: CampaignClients,
    private readonly org: CampaignOrg,
    private readonly signing: SigningKeys,
  ) {}

  async unsubscribe(token: string): Promise<UnsubscribeResponse> {
    const claim = await verifyUnsubscribe(this.signing, token);
    if (!claim) return { statusCode: 400, html: unsubscribePage('en', 'invalid') };
    const settings = await this.org.tenantSettings(claim.tenantId);
    const language = languageOf(settings.locale);
    const found = await this.clients.withdrawMarketingConsent(
      claim.tenantId,
      claim.clientId,
      `unsubscribe link (campaign ${claim.campaignId})`,
    );
    if (!found) return { statusCode: 404, html: unsubscribePage(language, 'invalid') };
    return { statusCode: 200, html: unsubscribePage(language, { tenant: settings.name }) };
  }
}
