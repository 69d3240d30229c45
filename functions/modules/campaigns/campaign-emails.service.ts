import { IntlMessageFormat } from 'intl-messageformat';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import {
  type CampaignEmail,
  type CampaignTemplate,
  SendCampaignEmailsInputSchema,
  SetCampaignEmailTemplateInputSchema,
} from './campaigns.model.js';
import type { CampaignsRepository } from './campaigns.repository.js';
import type { CampaignsService } from './campaigns.service.js';
import type { CampaignClient, CampaignClients, CampaignMail, CampaignOrg, SigningKeys } from './ports.js';
import { languageOf } from './unsubscribe-page.js';
import { signUnsubscribe } from './unsubscribe-token.js';

/** What a send run did with the campaign's members. */
export interface SendResult {
  sent: number;
  alreadySent: number;
  skippedNoConsent: number;
  skippedNoEmail: number;
  failed: number;
  /** Sends of this run that retried an earlier failure (counted in `sent` or `failed` as well). */
  retried: number;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Checks that a template parses as ICU MessageFormat, naming the field that does not. */
function checkMessage(source: string, locale: string, path: string): void {
  try {
    new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
  } catch (error) {
    throw new ValidationFailedError('The template is not ICU MessageFormat', [
      { path, message: `does not parse: ${(error as Error).message.slice(0, 200)}` },
    ]);
  }
}

/** Personal campaign e-mails: templates per tenant and language, sent once per member and template. */
export class CampaignEmailsService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly repo: CampaignsRepository,
    private readonly clients: CampaignClients,
    private readonly org: CampaignOrg,
    private readonly mail: CampaignMail | null,
    private readonly signing: SigningKeys,
    private readonly clock: Clock,
  ) {}

  /** Stores a template for one language; its three parts must parse as ICU MessageFormat. */
  async setTemplate(principal: Principal | null, rawInput: unknown): Promise<CampaignTemplate> {
    const p = this.campaigns.manager(principal, 'A campaign template');
    const input = parseInput(SetCampaignEmailTemplateInputSchema, rawInput);
    for (const part of ['subject', 'html', 'text'] as const)
      checkMessage(input[part], input.language, `input.${part}`);
    const template: CampaignTemplate = {
      ...input,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: p.userId,
    };
    await this.repo.putTemplate(p.tenantId, template);
    return template;
  }

  /**
   * Sends a template to every member whose marketing e-mail consent is granted now (the snapshot's
   * consent is not enough: it may have been withdrawn since). Each send is claimed in the table
   * before it goes out, so a repeat (or a concurrent run) never sends one member the same template
   * twice. A send the provider refuses is recorded as FAILED, and the next run claims and retries it
   * (a send whose outcome is unknown, still SENDING after a crash, is never repeated).
   */
  async send(principal: Principal | null, rawInput: unknown): Promise<SendResult> {
    const p = this.campaigns.manager(principal, 'Campaign e-mails');
    const input = parseInput(SendCampaignEmailsInputSchema, rawInput);
    const campaign = await this.campaigns.requireCampaign(p, input.campaignId);
    if (campaign.status !== 'STARTED') throw new RuleViolationError('Only a started campaign sends e-mails');
    if (!this.mail) throw new RuleViolationError('This deployment sends no e-mail (no MAIL_FROM)');
    const settings = await this.org.tenantSettings(p.tenantId);
    const language = languageOf(settings.locale);
    const template =
      (await this.repo.getTemplate(p.tenantId, input.templateKey, language)) ??
      (await this.repo.getTemplate(p.tenantId, input.templateKey, 'en'));
    if (!template)
      throw new ValidationFailedError('No such template', [
        { path: 'input.templateKey', message: `has no template in ${language} or en` },
      ]);
    const locale = settings.locale;
    const formats = {
      subject: new IntlMessageFormat(template.subject, locale, undefined, { ignoreTag: true }),
      html: new IntlMessageFormat(template.html, locale, undefined, { ignoreTag: true }),
      text: new IntlMessageFormat(template.text, locale, undefined, { ignoreTag: true }),
    };
    const members = await this.repo.allMembers(p.tenantId, campaign.id);
    const result: SendResult = {
      sent: 0,
      alreadySent: 0,
      skippedNoConsent: 0,
      skippedNoEmail: 0,
      failed: 0,
      retried: 0,
    };
    for (let i = 0; i < members.length; i += 100) {
      const current = await this.clients.getClients(
        p.tenantId,
        members.slice(i, i + 100).map((m) => m.clientId),
      );
      for (const client of current) {
        if (!client.marketingConsent) result.skippedNoConsent += 1;
        else if (!client.email) result.skippedNoEmail += 1;
        else
          await this.sendOne(
            p.tenantId,
            campaign.id,
            { ...template, key: input.templateKey },
            formats,
            client,
            settings.name,
            result,
          );
      }
      result.skippedNoConsent += Math.min(100, members.length - i) - current.length;
    }
    return result;
  }

  private async sendOne(
    tenantId: string,
    campaignId: string,
    template: CampaignTemplate,
    formats: Record<'subject' | 'html' | 'text', IntlMessageFormat>,
    client: CampaignClient,
    tenantName: string,
    result: SendResult,
  ): Promise<void> {
    const mail = this.mail as CampaignMail;
    const email: CampaignEmail = {
      campaignId,
      templateKey: template.key,
      clientId: client.id,
      to: client.email as string,
      status: 'SENDING',
      at: this.clock.now().toISOString(),
      messageId: null,
    };
    const attempts = await this.repo.claimEmail(tenantId, email);
    if (attempts === null) {
      result.alreadySent += 1;
      return;
    }
    if (attempts > 1) result.retried += 1;
    const token = await signUnsubscribe(this.signing, { tenantId, clientId: client.id, campaignId });
    const unsubscribeUrl = `${mail.publicBaseUrl.replace(/\/$/, '')}/unsubscribe/${token}`;
    const fields = {
      name: client.name,
      firstName: client.firstName ?? client.name,
      brokerage: tenantName,
      unsubscribeUrl,
    };
    const htmlFields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, escapeHtml(v)]));
    try {
      const sent = await mail.mailer.send({
        from: mail.from,
        to: email.to,
        subject: String(formats.subject.format(fields)),
        text: String(formats.text.format(fields)),
        html: String(formats.html.format(htmlFields)),
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>` },
      });
      await this.repo.settleEmail(tenantId, {
        ...email,
        attempts,
        status: 'SENT',
        messageId: sent.messageId,
      });
      result.sent += 1;
    } catch (error) {
      const refusal =
        error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : String(error);
      await this.repo.settleEmail(tenantId, { ...email, attempts, status: 'FAILED', error: refusal });
      result.failed += 1;
    }
  }
}
