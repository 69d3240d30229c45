/** The languages of the readable export (the documents' six); anything else reads English. */
export const SUBJECT_LANGUAGES = ['en', 'pl', 'lt', 'it', 'ru', 'cs'] as const;
export type SubjectLanguage = (typeof SUBJECT_LANGUAGES)[number];

/** The readable export's words, one row per message in en, pl, lt, it, ru, cs. */
const CATALOG = {
  title: [
    'Personal data we hold about you',
    'Dane osobowe, które o Tobie przechowujemy',
    'Jūsų asmens duomenys, kuriuos saugome',
    'I dati personali che conserviamo su di Lei',
    'Персональные данные, которые мы храним о вас',
    'Osobní údaje, které o vás uchováváme',
  ],
  prepared: ['Prepared on', 'Sporządzono', 'Parengta', 'Redatto il', 'Подготовлено', 'Vyhotoveno'],
  intro: [
    'This is a copy of everything our records hold about you, as asked under Article 15 of the GDPR. The enclosed JSON file holds the same data in machine-readable form.',
    'To kopia wszystkich danych, które przechowujemy na Twój temat, na żądanie z art. 15 RODO. Załączony plik JSON zawiera te same dane w formie do odczytu maszynowego.',
    'Tai visų apie jus saugomų duomenų kopija, pateikiama pagal BDAR 15 straipsnį. Pridėtame JSON faile yra tie patys duomenys mašininiu būdu skaitoma forma.',
    'Questa è una copia di tutti i dati che conserviamo su di Lei, richiesta ai sensi dell’articolo 15 del GDPR. Il file JSON allegato contiene gli stessi dati in formato leggibile da una macchina.',
    'Это копия всех данных о вас, которые хранятся в наших записях, по запросу согласно статье 15 GDPR. Приложенный файл JSON содержит те же данные в машиночитаемом виде.',
    'Toto je kopie všech údajů, které o vás vedeme, podle článku 15 GDPR. Přiložený soubor JSON obsahuje tytéž údaje ve strojově čitelné podobě.',
  ],
  details: ['Your details', 'Twoje dane', 'Jūsų duomenys', 'I Suoi dati', 'Ваши данные', 'Vaše údaje'],
  name: [
    'Name',
    'Imię i nazwisko / nazwa',
    'Vardas, pavardė / pavadinimas',
    'Nome',
    'Имя / название',
    'Jméno / název',
  ],
  birthDate: [
    'Date of birth',
    'Data urodzenia',
    'Gimimo data',
    'Data di nascita',
    'Дата рождения',
    'Datum narození',
  ],
  nationalId: ['National id', 'PESEL', 'Asmens kodas', 'Codice fiscale', 'Личный код', 'Rodné číslo'],
  taxId: ['Tax id', 'NIP', 'Mokesčių mokėtojo kodas', 'Partita IVA', 'ИНН', 'IČO / DIČ'],
  email: ['E-mail', 'E-mail', 'El. paštas', 'E-mail', 'Эл. почта', 'E-mail'],
  phone: ['Phone', 'Telefon', 'Telefonas', 'Telefono', 'Телефон', 'Telefon'],
  address: ['Address', 'Adres', 'Adresas', 'Indirizzo', 'Адрес', 'Adresa'],
  status: ['Status', 'Status', 'Būsena', 'Stato', 'Статус', 'Stav'],
  segment: ['Segment', 'Segment', 'Segmentas', 'Segmento', 'Сегмент', 'Segment'],
  clientSince: ['Client since', 'Klient od', 'Klientas nuo', 'Cliente dal', 'Клиент с', 'Klientem od'],
  consents: ['Consents', 'Zgody', 'Sutikimai', 'Consensi', 'Согласия', 'Souhlasy'],
  given: ['given', 'udzielona', 'duotas', 'prestato', 'дано', 'udělen'],
  withdrawn: ['withdrawn', 'wycofana', 'atšauktas', 'revocato', 'отозвано', 'odvolán'],
  policies: [
    'Insurance policies',
    'Polisy',
    'Draudimo polisai',
    'Polizze',
    'Страховые полисы',
    'Pojistné smlouvy',
  ],
  invoices: ['Invoices', 'Faktury', 'Sąskaitos', 'Fatture', 'Счета', 'Faktury'],
  issued: ['issued', 'wystawiona', 'išrašyta', 'emessa', 'выставлен', 'vystavena'],
  due: ['due', 'termin', 'apmokėti iki', 'scadenza', 'срок', 'splatnost'],
  history: [
    'History of your record',
    'Historia Twoich danych',
    'Jūsų įrašo istorija',
    'Storico della Sua scheda',
    'История вашей записи',
    'Historie vašeho záznamu',
  ],
  tasks: [
    'Our tasks concerning you',
    'Nasze zadania dotyczące Ciebie',
    'Mūsų užduotys, susijusios su jumis',
    'Le nostre attività che La riguardano',
    'Наши задачи, связанные с вами',
    'Naše úkoly týkající se vás',
  ],
  emails: [
    'E-mails we sent you',
    'Wysłane do Ciebie e-maile',
    'Jums išsiųsti el. laiškai',
    'E-mail che Le abbiamo inviato',
    'Отправленные вам письма',
    'E-maily, které jsme vám poslali',
  ],
  changes: [
    'Changes to your record',
    'Zmiany Twoich danych',
    'Jūsų įrašo pakeitimai',
    'Modifiche alla Sua scheda',
    'Изменения вашей записи',
    'Změny vašeho záznamu',
  ],
  insurerMessages: [
    'Messages from insurers about your policies',
    'Wiadomości od ubezpieczycieli dotyczące Twoich polis',
    'Draudikų pranešimai apie jūsų polisus',
    'Messaggi delle compagnie assicurative sulle Sue polizze',
    'Сообщения страховщиков о ваших полисах',
    'Zprávy pojišťoven o vašich pojistných smlouvách',
  ],
  insurer: ['insurer', 'ubezpieczyciel', 'draudikas', 'compagnia', 'страховщик', 'pojišťovna'],
  events: ['events', 'zdarzenia', 'įvykiai', 'eventi', 'события', 'události'],
  changedFields: [
    'fields changed',
    'zmienione pola',
    'pakeisti laukai',
    'campi modificati',
    'изменённые поля',
    'změněné údaje',
  ],
  contacts: [
    'Contact people registered with you (other persons, not listed here)',
    'Osoby kontaktowe zapisane przy Tobie (inne osoby, tu niewymienione)',
    'Prie jūsų užregistruoti kontaktiniai asmenys (kiti asmenys, čia neišvardyti)',
    'Persone di contatto registrate con Lei (altre persone, qui non elencate)',
    'Контактные лица, связанные с вами (другие лица, здесь не перечислены)',
    'Kontaktní osoby vedené u vás (jiné osoby, zde neuvedené)',
  ],
  'channel.MARKETING_EMAIL': [
    'Marketing e-mails',
    'E-maile marketingowe',
    'Rinkodaros el. laiškai',
    'E-mail di marketing',
    'Маркетинговые письма',
    'Marketingové e-maily',
  ],
  'channel.SMS': [
    'Text messages (SMS)',
    'Wiadomości SMS',
    'SMS žinutės',
    'Messaggi SMS',
    'SMS-сообщения',
    'Zprávy SMS',
  ],
  'channel.PHONE': [
    'Phone calls',
    'Połączenia telefoniczne',
    'Skambučiai telefonu',
    'Chiamate telefoniche',
    'Телефонные звонки',
    'Telefonáty',
  ],
  'channel.DATA_PROCESSING': [
    'Processing of personal data',
    'Przetwarzanie danych osobowych',
    'Asmens duomenų tvarkymas',
    'Trattamento dei dati personali',
    'Обработка персональных данных',
    'Zpracování osobních údajů',
  ],
  'action.CREATED': ['created', 'utworzono', 'sukurta', 'creato', 'создано', 'vytvořeno'],
  'action.UPDATED': ['changed', 'zmieniono', 'pakeista', 'modificato', 'изменено', 'změněno'],
  'action.DELETED': ['deleted', 'usunięto', 'ištrinta', 'eliminato', 'удалено', 'smazáno'],
  none: ['None.', 'Brak.', 'Nėra.', 'Nessuno.', 'Нет.', 'Žádné.'],
  page: ['Page', 'Strona', 'Puslapis', 'Pagina', 'Страница', 'Strana'],
} as const satisfies Record<string, readonly [string, string, string, string, string, string]>;

export type SubjectMessage = keyof typeof CATALOG;

/** The export's text in a language. */
export function subjectText(language: SubjectLanguage, key: SubjectMessage): string {
  return CATALOG[key][SUBJECT_LANGUAGES.indexOf(language)] as string;
}

/** A coded value (`channel.SMS`, `action.UPDATED`) in words; a code without a message stays as it is. */
export function subjectCode(
  language: SubjectLanguage,
  prefix: 'channel' | 'action',
  value: unknown,
): string | null {
  if (typeof value !== 'string') return null;
  const key = `${prefix}.${value}`;
  return key in CATALOG ? subjectText(language, key as SubjectMessage) : value;
}

/** The export's language from a BCP-47 locale (`cs-CZ` → cs); English when not one of the six. */
export function subjectLanguageOf(locale: string | null | undefined): SubjectLanguage {
  const language = (locale ?? 'en').slice(0, 2).toLowerCase();
  return (SUBJECT_LANGUAGES as readonly string[]).includes(language) ? (language as SubjectLanguage) : 'en';
}
