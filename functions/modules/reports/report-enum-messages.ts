/**
 * Enum values printed in documents (statuses, kinds, sources), in en, pl, lt, it, ru, cs: part of
 * the report catalog, so no document shows a raw code such as `ACTIVE`.
 */
export const ENUM_CATALOG = {
  'clientStatus.POTENTIAL': [
    'Prospect',
    'Potencjalny',
    'Potencialus',
    'Potenziale',
    'Потенциальный',
    'Potenciální',
  ],
  'clientStatus.ACTIVE': ['Active', 'Aktywny', 'Aktyvus', 'Attivo', 'Активный', 'Aktivní'],
  'clientStatus.LOST': ['Lost', 'Utracony', 'Prarastas', 'Perso', 'Потерян', 'Ztracený'],
  'clientKind.PERSON': [
    'Person',
    'Osoba fizyczna',
    'Fizinis asmuo',
    'Persona fisica',
    'Физическое лицо',
    'Fyzická osoba',
  ],
  'clientKind.COMPANY': ['Company', 'Firma', 'Įmonė', 'Azienda', 'Компания', 'Firma'],
  'segment.INDIVIDUAL': ['Individual', 'Indywidualny', 'Individualus', 'Privato', 'Частный', 'Individuální'],
  'segment.BUSINESS': ['Business', 'Biznes', 'Verslas', 'Business', 'Бизнес', 'Firemní'],
  'segment.VIP': ['VIP', 'VIP', 'VIP', 'VIP', 'VIP', 'VIP'],
  'policyStatus.OFFER': ['Offer', 'Oferta', 'Pasiūlymas', 'Offerta', 'Предложение', 'Nabídka'],
  'policyStatus.ACTIVE': ['Active', 'Aktywna', 'Galiojantis', 'Attiva', 'Действует', 'Aktivní'],
  'policyStatus.RENEWED': ['Renewed', 'Wznowiona', 'Atnaujintas', 'Rinnovata', 'Продлён', 'Obnovená'],
  'policyStatus.LAPSED': ['Lapsed', 'Wygasła', 'Nebegaliojantis', 'Scaduta', 'Истёк', 'Zaniklá'],
  'policyStatus.CANCELLED': ['Cancelled', 'Anulowana', 'Nutrauktas', 'Annullata', 'Расторгнут', 'Zrušená'],
  'policyStatus.REACTIVATED': [
    'Reactivated',
    'Przywrócona',
    'Vėl galiojantis',
    'Riattivata',
    'Восстановлен',
    'Znovu platná',
  ],
  'businessType.NEW': ['New', 'Nowa', 'Nauja', 'Nuovo', 'Новая', 'Nový'],
  'businessType.RENEWAL': ['Renewal', 'Wznowienie', 'Atnaujinimas', 'Rinnovo', 'Продление', 'Obnova'],
  'invoiceStatus.DRAFT': ['Draft', 'Szkic', 'Juodraštis', 'Bozza', 'Черновик', 'Koncept'],
  'invoiceStatus.ISSUED': ['Issued', 'Wystawiona', 'Išrašyta', 'Emessa', 'Выставлен', 'Vystavená'],
  'invoiceStatus.PARTIALLY_PAID': [
    'Partially paid',
    'Częściowo opłacona',
    'Iš dalies apmokėta',
    'Parzialmente pagata',
    'Частично оплачен',
    'Částečně uhrazená',
  ],
  'invoiceStatus.PAID': ['Paid', 'Opłacona', 'Apmokėta', 'Pagata', 'Оплачен', 'Uhrazená'],
  'invoiceStatus.OVERDUE': [
    'Overdue',
    'Przeterminowana',
    'Pradelsta',
    'Scaduta',
    'Просрочен',
    'Po splatnosti',
  ],
  'invoiceStatus.WRITTEN_OFF': ['Written off', 'Spisana', 'Nurašyta', 'Stralciata', 'Списан', 'Odepsaná'],
  'invoiceStatus.CANCELLED': [
    'Cancelled',
    'Anulowana',
    'Anuliuota',
    'Annullata',
    'Аннулирован',
    'Stornovaná',
  ],
  'paymentSource.MANUAL': ['Manual', 'Ręcznie', 'Rankiniu būdu', 'Manuale', 'Вручную', 'Ručně'],
  'paymentSource.BANK_IMPORT': [
    'Bank statement',
    'Wyciąg bankowy',
    'Banko išrašas',
    'Estratto conto',
    'Банковская выписка',
    'Bankovní výpis',
  ],
  'paymentSource.INSURER': [
    'Insurer',
    'Ubezpieczyciel',
    'Draudikas',
    'Compagnia',
    'Страховщик',
    'Pojišťovna',
  ],
  'paymentSource.REVERSAL': ['Reversal', 'Storno', 'Atšaukimas', 'Storno', 'Сторно', 'Storno'],
} as const satisfies Record<string, readonly [string, string, string, string, string, string]>;

/** The enum groups a document prints, each translated through {@link ENUM_CATALOG}. */
export type EnumGroup =
  | 'clientStatus'
  | 'clientKind'
  | 'segment'
  | 'policyStatus'
  | 'businessType'
  | 'invoiceStatus'
  | 'paymentSource';
