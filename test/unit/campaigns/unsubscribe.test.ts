import { describe, expect, it } from 'vitest';
import {
  signUnsubscribe,
  unsubscribeKeysFrom,
  verifyUnsubscribe,
} from '../../../functions/modules/campaigns/index.js';
import { languageOf, unsubscribePage } from '../../../functions/modules/campaigns/unsubscribe-page.js';
import { staticCursorKeys } from '../../../functions/shared/cursor-seal.js';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);
const claim = { tenantId: 't-1', clientId: 'c-1', campaignId: 'k-1' };

describe('unsubscribe tokens', () => {
  it('verifies a token signed by any listed key, so a rotated-out key keeps old links working', async () => {
    const token = await signUnsubscribe(unsubscribeKeysFrom(staticCursorKeys([OLD])), claim);
    expect(await verifyUnsubscribe(unsubscribeKeysFrom(staticCursorKeys([NEW, OLD])), token)).toEqual(claim);
    expect(await verifyUnsubscribe(unsubscribeKeysFrom(staticCursorKeys([NEW])), token)).toBeNull();
  });

  it('refuses an altered claim, a cut signature and junk', async () => {
    const keys = unsubscribeKeysFrom(staticCursorKeys([NEW]));
    const token = await signUnsubscribe(keys, claim);
    const [, signature] = token.split('.');
    const other = Buffer.from(JSON.stringify(['t-2', 'c-1', 'k-1'])).toString('base64url');
    expect(await verifyUnsubscribe(keys, `${other}.${signature}`)).toBeNull();
    expect(await verifyUnsubscribe(keys, token.slice(0, -4))).toBeNull();
    expect(await verifyUnsubscribe(keys, 'not-a-token')).toBeNull();
    expect(await verifyUnsubscribe(keys, `${token}.x`)).toBeNull();
  });

  it('signs with a key derived from the cursor secret, never the cursor key itself', async () => {
    const [cursorKey] = await staticCursorKeys([NEW]).keys();
    const [unsubscribeKey] = await unsubscribeKeysFrom(staticCursorKeys([NEW])).keys();
    expect(unsubscribeKey?.equals(cursorKey as Buffer)).toBe(false);
  });
});

describe('the unsubscribe page', () => {
  it.each([
    ['cs-CZ', 'cs', 'Odhlášeno'],
    ['pl-PL', 'pl', 'Wypisano z subskrypcji'],
    ['lt-LT', 'lt', 'Prenumerata atšaukta'],
    ['it-IT', 'it', 'Disiscrizione completata'],
    ['ru-RU', 'ru', 'Подписка отменена'],
    ['en-GB', 'en', 'Unsubscribed'],
    ['de-DE', 'en', 'Unsubscribed'],
  ])('answers %s in %s', (locale, language, title) => {
    expect(languageOf(locale)).toBe(language);
    const html = unsubscribePage(languageOf(locale), { tenant: 'Broker <Demo>' });
    expect(html).toContain(`<html lang="${language}">`);
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).toContain('Broker &lt;Demo&gt;');
  });
});
