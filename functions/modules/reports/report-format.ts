import { minorUnits } from '../../shared/money.js';
import { type Cell, type ColumnType, isMoney } from './report-document.js';
import type { ReportLanguage } from './reports.model.js';

/** The locale each document language formats numbers, money and dates in. */
const LOCALES: Record<ReportLanguage, string> = {
  en: 'en-GB',
  pl: 'pl-PL',
  lt: 'lt-LT',
  it: 'it-IT',
  ru: 'ru-RU',
  cs: 'cs-CZ',
};

/**
 * Cells as people read them, through Intl for the document's locale. Money is handed to Intl as its
 * decimal string (Intl.NumberFormat formats strings exactly), never through a binary float.
 */
export class ReportFormatter {
  readonly locale: string;
  private readonly money = new Map<string, Intl.NumberFormat>();
  private readonly integer: Intl.NumberFormat;
  private readonly percent: Intl.NumberFormat;
  private readonly decimal: Intl.NumberFormat;
  private readonly dates: Intl.DateTimeFormat;

  constructor(language: ReportLanguage) {
    this.locale = LOCALES[language];
    this.integer = new Intl.NumberFormat(this.locale, { maximumFractionDigits: 0 });
    this.percent = new Intl.NumberFormat(this.locale, { style: 'percent', maximumFractionDigits: 1 });
    this.decimal = new Intl.NumberFormat(this.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    this.dates = new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeZone: 'UTC' });
  }

  /** A date `YYYY-MM-DD` (or an ISO timestamp's date) in the locale's medium style. */
  date(iso: string): string {
    return this.dates.format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
  }

  cell(value: Cell, type: ColumnType): string {
    if (value === null || value === undefined) return '';
    if (isMoney(value)) {
      let f = this.money.get(value.currency);
      if (!f) {
        const digits = minorUnits(value.currency);
        f = new Intl.NumberFormat(this.locale, {
          style: 'currency',
          currency: value.currency,
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        });
        this.money.set(value.currency, f);
      }
      return f.format(value.amount as unknown as number);
    }
    if (type === 'integer' && typeof value === 'number') return this.integer.format(value);
    if (type === 'percent' && typeof value === 'number') return this.percent.format(value);
    // A decimal string goes to Intl as a string, which formats it exactly (as money above).
    if (type === 'decimal') return this.decimal.format(value as unknown as number);
    if (type === 'date' && typeof value === 'string') return this.date(value);
    return String(value);
  }
}
