import type { CampaignLanguage } from './campaigns.model.js';

/** The confirmation page's words, per language. */
const WORDS: Record<CampaignLanguage, { title: string; done: string; invalid: string }> = {
  en: {
    title: 'Unsubscribed',
    done: 'You will no longer receive marketing e-mails from {tenant}.',
    invalid: 'This unsubscribe link is not valid.',
  },
  pl: {
    title: 'Wypisano z subskrypcji',
    done: 'Nie będziesz już otrzymywać wiadomości marketingowych od {tenant}.',
    invalid: 'Ten link do wypisania się jest nieprawidłowy.',
  },
  lt: {
    title: 'Prenumerata atšaukta',
    done: 'Nebegausite rinkodaros laiškų iš {tenant}.',
    invalid: 'Ši atsisakymo nuoroda negalioja.',
  },
  it: {
    title: 'Disiscrizione completata',
    done: 'Non riceverai più e-mail di marketing da {tenant}.',
    invalid: 'Questo link di disiscrizione non è valido.',
  },
  ru: {
    title: 'Подписка отменена',
    done: 'Вы больше не будете получать маркетинговые письма от {tenant}.',
    invalid: 'Эта ссылка для отписки недействительна.',
  },
  cs: {
    title: 'Odhlášeno',
    done: 'Od {tenant} vám již nebudou chodit marketingové e-maily.',
    invalid: 'Tento odkaz pro odhlášení není platný.',
  },
};

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The language of a locale (`cs-CZ` → `cs`) among the page's languages; English otherwise. */
export function languageOf(locale: string | null | undefined): CampaignLanguage {
  const language = (locale ?? '').slice(0, 2).toLowerCase();
  return language in WORDS ? (language as CampaignLanguage) : 'en';
}

/** A small self-contained HTML page confirming (or refusing) the unsubscribe. */
export function unsubscribePage(language: CampaignLanguage, outcome: { tenant: string } | 'invalid'): string {
  const words = WORDS[language];
  const message = outcome === 'invalid' ? words.invalid : words.done.replace('{tenant}', outcome.tenant);
  return [
    '<!doctype html>',
    `<html lang="${language}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(words.title)}</title></head>`,
    `<body><h1>${escapeHtml(words.title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  ].join('\n');
}
