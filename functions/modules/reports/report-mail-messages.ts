/** Messages of scheduled report e-mails, in en, pl, lt, it, ru, cs (see report-messages.ts). */
export const MAIL_CATALOG = {
  'mail.subject': [
    '{title} {period} – {tenant}',
    '{title} {period} – {tenant}',
    '{title} {period} – {tenant}',
    '{title} {period} – {tenant}',
    '{title} {period} – {tenant}',
    '{title} {period} – {tenant}',
  ],
  'mail.greeting': [
    'Hello {name},',
    'Dzień dobry {name},',
    'Sveiki, {name},',
    'Gentile {name},',
    'Здравствуйте, {name}!',
    'Dobrý den, {name},',
  ],
  'mail.approved': [
    'the commission period {period} has been approved. Your {title} is ready:',
    'okres prowizyjny {period} został zatwierdzony. Twoje zestawienie ({title}) jest gotowe:',
    'komisinių laikotarpis {period} patvirtintas. Jūsų ataskaita ({title}) paruošta:',
    'il periodo provvigionale {period} è stato approvato. Il documento «{title}» è pronto:',
    'комиссионный период {period} утверждён. Ваш документ «{title}» готов:',
    'provizní období {period} bylo schváleno. Váš dokument „{title}“ je připraven:',
  ],
  'mail.monthly': [
    'your monthly report “{title}” for {period} is ready:',
    'Twój miesięczny raport „{title}” za {period} jest gotowy:',
    'jūsų mėnesio ataskaita „{title}“ už {period} paruošta:',
    'il report mensile «{title}» di {period} è pronto:',
    'ваш ежемесячный отчёт «{title}» за {period} готов:',
    'váš měsíční přehled „{title}“ za {period} je připraven:',
  ],
  'mail.expires': [
    'The link works until {expires}. Later, open the report from your report jobs in the app for a fresh link.',
    'Link działa do {expires}. Później otwórz raport w aplikacji (zlecenia raportów), aby dostać nowy link.',
    'Nuoroda galioja iki {expires}. Vėliau atidarykite ataskaitą programėlėje (ataskaitų užduotys) ir gaukite naują nuorodą.',
    'Il link è valido fino al {expires}. In seguito apri il report dai tuoi report nell’app per un nuovo link.',
    'Ссылка действует до {expires}. Позже откройте отчёт в приложении (задания отчётов), чтобы получить новую ссылку.',
    'Odkaz platí do {expires}. Později otevřete přehled v aplikaci (úlohy přehledů) a získáte nový odkaz.',
  ],
} as const satisfies Record<string, readonly [string, string, string, string, string, string]>;
