import { IntlMessageFormat } from 'intl-messageformat';
import { ANALYTICS_CATALOG } from './report-analytics-messages.js';
import { ENUM_CATALOG, type EnumGroup } from './report-enum-messages.js';
import { MAIL_CATALOG } from './report-mail-messages.js';
import type { ReportLanguage } from './reports.model.js';

/**
 * The message catalog of every report, in ICU MessageFormat: one row per message, its text in
 * en, pl, lt, it, ru, cs (the languages of the seeded tenants). Numbers, money and dates are not
 * written here: {@link ReportFormatter} formats them through Intl for the document's locale.
 */
const CATALOG = {
  ...ENUM_CATALOG,
  ...ANALYTICS_CATALOG,
  ...MAIL_CATALOG,
  'title.CLIENTS': ['Clients', 'Klienci', 'Klientai', 'Clienti', 'Клиенты', 'Klienti'],
  'title.POLICIES': ['Policies', 'Polisy', 'Polisai', 'Polizze', 'Полисы', 'Pojistné smlouvy'],
  'title.INVOICES': ['Invoices', 'Faktury', 'Sąskaitos', 'Fatture', 'Счета', 'Faktury'],
  'title.PAYMENTS': ['Payments', 'Płatności', 'Mokėjimai', 'Pagamenti', 'Платежи', 'Platby'],
  'title.DEBTORS': ['Debtors', 'Dłużnicy', 'Skolininkai', 'Debitori', 'Должники', 'Dlužníci'],
  'title.COMMISSION_LINES': [
    'Commission lines',
    'Pozycje prowizji',
    'Komisinių eilutės',
    'Righe provvigionali',
    'Строки комиссий',
    'Položky provizí',
  ],
  'title.COMMISSION_STATEMENT': [
    'Commission statement',
    'Zestawienie prowizji',
    'Komisinių ataskaita',
    'Estratto provvigionale',
    'Выписка по комиссиям',
    'Výpis provizí',
  ],
  'title.RECEIVABLE': [
    'Commission receivable by insurer',
    'Należności prowizyjne wg ubezpieczyciela',
    'Gautini komisiniai pagal draudiką',
    'Provvigioni da incassare per compagnia',
    'Комиссия к получению по страховщикам',
    'Pohledávky provizí podle pojišťovny',
  ],
  period: [
    'Period: {period}',
    'Okres: {period}',
    'Laikotarpis: {period}',
    'Periodo: {period}',
    'Период: {period}',
    'Období: {period}',
  ],
  recipient: [
    'Recipient: {name}',
    'Odbiorca: {name}',
    'Gavėjas: {name}',
    'Beneficiario: {name}',
    'Получатель: {name}',
    'Příjemce: {name}',
  ],
  generated: [
    'Generated on {date}',
    'Wygenerowano {date}',
    'Sugeneruota {date}',
    'Generato il {date}',
    'Создано {date}',
    'Vytvořeno {date}',
  ],
  page: [
    'Page {page} of {pages}',
    'Strona {page} z {pages}',
    'Puslapis {page} iš {pages}',
    'Pagina {page} di {pages}',
    'Страница {page} из {pages}',
    'Strana {page} z {pages}',
  ],
  rows: [
    '{count, plural, one {# row} other {# rows}}',
    '{count, plural, one {# wiersz} few {# wiersze} other {# wierszy}}',
    '{count, plural, one {# eilutė} few {# eilutės} other {# eilučių}}',
    '{count, plural, one {# riga} other {# righe}}',
    '{count, plural, one {# строка} few {# строки} other {# строк}}',
    '{count, plural, one {# řádek} few {# řádky} other {# řádků}}',
  ],
  total: ['Total', 'Razem', 'Iš viso', 'Totale', 'Итого', 'Celkem'],
  yes: ['yes', 'tak', 'taip', 'sì', 'да', 'ano'],
  no: ['no', 'nie', 'ne', 'no', 'нет', 'ne'],
  name: ['Name', 'Nazwa', 'Pavadinimas', 'Nome', 'Имя', 'Jméno'],
  kind: ['Kind', 'Rodzaj', 'Rūšis', 'Tipo', 'Вид', 'Druh'],
  status: ['Status', 'Status', 'Būsena', 'Stato', 'Статус', 'Stav'],
  segment: ['Segment', 'Segment', 'Segmentas', 'Segmento', 'Сегмент', 'Segment'],
  email: ['E-mail', 'E-mail', 'El. paštas', 'E-mail', 'Эл. почта', 'E-mail'],
  phone: ['Phone', 'Telefon', 'Telefonas', 'Telefono', 'Телефон', 'Telefon'],
  advisor: ['Advisor', 'Doradca', 'Konsultantas', 'Consulente', 'Консультант', 'Poradce'],
  branch: ['Branch', 'Oddział', 'Filialas', 'Filiale', 'Филиал', 'Pobočka'],
  createdAt: ['Created', 'Utworzono', 'Sukurta', 'Creato', 'Создан', 'Vytvořeno'],
  policyNumber: ['Policy no.', 'Nr polisy', 'Poliso nr.', 'N. polizza', '№ полиса', 'Číslo smlouvy'],
  insurer: ['Insurer', 'Ubezpieczyciel', 'Draudikas', 'Compagnia', 'Страховщик', 'Pojišťovna'],
  productLine: [
    'Product line',
    'Linia produktu',
    'Produkto linija',
    'Linea di prodotto',
    'Продукт',
    'Produktová řada',
  ],
  client: ['Client', 'Klient', 'Klientas', 'Cliente', 'Клиент', 'Klient'],
  premium: ['Premium', 'Składka', 'Įmoka', 'Premio', 'Премия', 'Pojistné'],
  currency: ['Currency', 'Waluta', 'Valiuta', 'Valuta', 'Валюта', 'Měna'],
  writtenDate: ['Written', 'Zawarta', 'Sudaryta', 'Stipulata', 'Заключён', 'Uzavřena'],
  termStart: ['Start', 'Początek', 'Pradžia', 'Inizio', 'Начало', 'Počátek'],
  termEnd: ['End', 'Koniec', 'Pabaiga', 'Fine', 'Окончание', 'Konec'],
  businessType: ['Business', 'Sprzedaż', 'Verslas', 'Affare', 'Тип продажи', 'Obchod'],
  invoiceNumber: ['Invoice no.', 'Nr faktury', 'Sąskaitos nr.', 'N. fattura', '№ счёта', 'Číslo faktury'],
  dueDate: ['Due', 'Termin', 'Terminas', 'Scadenza', 'Срок', 'Splatnost'],
  invoiceTotal: ['Total', 'Kwota', 'Suma', 'Importo', 'Сумма', 'Částka'],
  paid: ['Paid', 'Zapłacono', 'Sumokėta', 'Pagato', 'Оплачено', 'Uhrazeno'],
  outstanding: ['Outstanding', 'Do zapłaty', 'Liko mokėti', 'Da pagare', 'К оплате', 'K úhradě'],
  daysOverdue: [
    'Days overdue',
    'Dni po terminie',
    'Dienų vėluoja',
    'Giorni di ritardo',
    'Дней просрочки',
    'Dní po splatnosti',
  ],
  paidDate: ['Paid on', 'Data zapłaty', 'Sumokėta', 'Pagato il', 'Дата оплаты', 'Uhrazeno dne'],
  amount: ['Amount', 'Kwota', 'Suma', 'Importo', 'Сумма', 'Částka'],
  late: ['Late', 'Po terminie', 'Pavėluota', 'In ritardo', 'С опозданием', 'Pozdě'],
  reference: ['Reference', 'Tytuł', 'Nuoroda', 'Riferimento', 'Назначение', 'Symbol'],
  source: ['Source', 'Źródło', 'Šaltinis', 'Origine', 'Источник', 'Zdroj'],
  recipientColumn: ['Recipient', 'Odbiorca', 'Gavėjas', 'Beneficiario', 'Получатель', 'Příjemce'],
  periodColumn: ['Period', 'Okres', 'Laikotarpis', 'Periodo', 'Период', 'Období'],
  ledger: ['Ledger', 'Rejestr', 'Žurnalas', 'Registro', 'Реестр', 'Evidence'],
  explanation: ['Explanation', 'Wyjaśnienie', 'Paaiškinimas', 'Spiegazione', 'Пояснение', 'Vysvětlení'],
  rule: ['Rule', 'Reguła', 'Taisyklė', 'Regola', 'Правило', 'Pravidlo'],
  lines: ['Lines', 'Pozycje', 'Eilutės', 'Righe', 'Строки', 'Položky'],
  statementLines: [
    'Lines with their explanation',
    'Pozycje z wyjaśnieniem',
    'Eilutės su paaiškinimu',
    'Righe con spiegazione',
    'Строки с пояснением',
    'Položky s vysvětlením',
  ],
  totalsByKind: [
    'Totals by kind',
    'Sumy wg rodzaju',
    'Sumos pagal rūšį',
    'Totali per tipo',
    'Итоги по видам',
    'Součty podle druhu',
  ],
  statementTotal: [
    'Statement total',
    'Razem do wypłaty',
    'Ataskaitos suma',
    'Totale estratto',
    'Итого по выписке',
    'Celkem za výpis',
  ],
  'lineKind.ACCRUAL': ['Commission', 'Prowizja', 'Komisiniai', 'Provvigione', 'Комиссия', 'Provize'],
  'lineKind.DELTA': ['Change', 'Zmiana', 'Pakeitimas', 'Variazione', 'Изменение', 'Změna'],
  'lineKind.CLAWBACK': [
    'Clawback',
    'Zwrot prowizji',
    'Susigrąžinimas',
    'Storno',
    'Возврат комиссии',
    'Storno provize',
  ],
  'lineKind.CLAWBACK_REVERSAL': [
    'Clawback reversed',
    'Cofnięty zwrot',
    'Atšauktas susigrąžinimas',
    'Storno annullato',
    'Отмена возврата',
    'Zrušené storno',
  ],
  'lineKind.TIER_CORRECTION': [
    'Tier correction',
    'Korekta progu',
    'Pakopos korekcija',
    'Correzione scaglione',
    'Коррекция уровня',
    'Oprava pásma',
  ],
  'lineKind.ADJUSTMENT': ['Adjustment', 'Korekta', 'Koregavimas', 'Rettifica', 'Корректировка', 'Úprava'],
} as const satisfies Record<string, readonly [string, string, string, string, string, string]>;

export type MessageKey = keyof typeof CATALOG;

const INDEX: Record<ReportLanguage, number> = { en: 0, pl: 1, lt: 2, it: 3, ru: 4, cs: 5 };

/** Message keys of the catalog (a test checks every language has every message). */
export const MESSAGE_KEYS = Object.keys(CATALOG) as MessageKey[];

/** Formats one catalog message in a language: ICU plural and select rules of that language apply. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** The translator of one language; compiled messages are kept per language. */
export function translator(language: ReportLanguage): Translate {
  const compiled = new Map<MessageKey, IntlMessageFormat>();
  return (key, values) => {
    let message = compiled.get(key);
    if (!message) {
      message = new IntlMessageFormat(messageText(language, key), language);
      compiled.set(key, message);
    }
    return String(message.format(values));
  };
}

/** The raw text of a message in a language (tests check the catalog is complete). */
export function messageText(language: ReportLanguage, key: MessageKey): string {
  return CATALOG[key][INDEX[language]] as string;
}

/** An enum value as a document prints it (`ACTIVE` → "Active"); a value without a message stays as it is. */
export function enumText(t: Translate, group: EnumGroup, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const key = `${group}.${value}`;
  return key in CATALOG ? t(key as MessageKey) : value;
}
