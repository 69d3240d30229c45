/** The languages reminders are written in; any other locale falls back to English. */
export const REMINDER_LANGUAGES = ['en', 'pl', 'lt', 'it', 'ru', 'cs'] as const;
export type ReminderLanguage = (typeof REMINDER_LANGUAGES)[number];

interface Catalog {
  dueSoonSubject: (title: string, time: string) => string;
  dueSoonBody: (title: string, client: string, when: string) => string;
  digestSubject: (date: string, count: number) => string;
  digestIntro: (date: string) => string;
  meetingSms: (brokerage: string, when: string) => string;
  lateCheckpointSubject: (title: string, assignee: string) => string;
  lateCheckpointBody: (title: string, assignee: string, sla: string) => string;
}

/** Short message catalogs per language: subjects and bodies with their values filled in. */
const CATALOGS: Record<ReminderLanguage, Catalog> = {
  en: {
    dueSoonSubject: (title, time) => `Due at ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `Your task "${title}" for ${client} is due ${when}.`,
    digestSubject: (date, count) => `Your tasks for ${date} (${count})`,
    digestIntro: (date) => `Good morning. Your tasks due on ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: a reminder of our meeting on ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Checkpoint late: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `The checkpoint task "${title}" of ${assignee} is still open; its SLA ended ${sla}.`,
  },
  pl: {
    dueSoonSubject: (title, time) => `Termin o ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `Twoje zadanie „${title}” dla ${client} ma termin ${when}.`,
    digestSubject: (date, count) => `Twoje zadania na ${date} (${count})`,
    digestIntro: (date) => `Dzień dobry. Zadania z terminem ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: przypominamy o spotkaniu ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Opóźniony etap: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `Zadanie etapu „${title}” (${assignee}) jest wciąż otwarte; SLA minęło ${sla}.`,
  },
  lt: {
    dueSoonSubject: (title, time) => `Terminas ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `Jūsų užduoties „${title}“ (${client}) terminas ${when}.`,
    digestSubject: (date, count) => `Jūsų užduotys ${date} (${count})`,
    digestIntro: (date) => `Labas rytas. Užduotys, kurių terminas ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: primename apie susitikimą ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Vėluojantis etapas: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `Etapo užduotis „${title}“ (${assignee}) vis dar atvira; SLA baigėsi ${sla}.`,
  },
  it: {
    dueSoonSubject: (title, time) => `Scadenza alle ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `L'attività "${title}" per ${client} scade ${when}.`,
    digestSubject: (date, count) => `Le tue attività del ${date} (${count})`,
    digestIntro: (date) => `Buongiorno. Le attività in scadenza il ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: le ricordiamo l'appuntamento del ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Tappa in ritardo: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `L'attività di tappa "${title}" di ${assignee} è ancora aperta; lo SLA è scaduto il ${sla}.`,
  },
  ru: {
    dueSoonSubject: (title, time) => `Срок в ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `Срок вашей задачи «${title}» для ${client}: ${when}.`,
    digestSubject: (date, count) => `Ваши задачи на ${date} (${count})`,
    digestIntro: (date) => `Доброе утро. Задачи со сроком ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: напоминаем о встрече ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Этап просрочен: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `Задача этапа «${title}» (${assignee}) всё ещё открыта; SLA истёк ${sla}.`,
  },
  cs: {
    dueSoonSubject: (title, time) => `Termín v ${time}: ${title}`,
    dueSoonBody: (title, client, when) => `Váš úkol „${title}“ pro ${client} má termín ${when}.`,
    digestSubject: (date, count) => `Vaše úkoly na ${date} (${count})`,
    digestIntro: (date) => `Dobré ráno. Úkoly s termínem ${date}:`,
    meetingSms: (brokerage, when) => `${brokerage}: připomínáme schůzku ${when}.`,
    lateCheckpointSubject: (title, assignee) => `Zpožděný milník: ${title} (${assignee})`,
    lateCheckpointBody: (title, assignee, sla) =>
      `Úkol milníku „${title}“ (${assignee}) je stále otevřený; SLA skončilo ${sla}.`,
  },
};

/** The message catalog for a tenant locale (`cs-CZ` → Czech); English for any other language. */
export function remindersIn(locale: string): Catalog & { locale: string } {
  const language = locale.slice(0, 2).toLowerCase();
  const catalog = (REMINDER_LANGUAGES as readonly string[]).includes(language)
    ? CATALOGS[language as ReminderLanguage]
    : CATALOGS.en;
  return { ...catalog, locale };
}

/** An instant as a tenant reads it: date and time in its locale and time zone. */
export function formatInstant(
  instant: string,
  locale: string,
  timeZone: string,
  part: 'time' | 'date' | 'both',
) {
  const options: Intl.DateTimeFormatOptions =
    part === 'time'
      ? { timeStyle: 'short' }
      : part === 'date'
        ? { dateStyle: 'medium' }
        : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(instant));
}
