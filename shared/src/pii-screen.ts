/**
 * Screens free text for personal data before it is stored (docs/DOMAIN.md: no names, BSN, birth
 * dates or addresses of clients). Runs in the form and again on the server. It looks for
 * what identifies a person or a place; it cannot catch a name, which the form asks not to
 * type.
 */
export const noteIssues = ['bsn', 'birth_date', 'phone', 'email', 'postcode', 'street'] as const;
export type NoteIssue = (typeof noteIssues)[number];

export const noteIssueMessages: Record<NoteIssue, string> = {
  bsn: 'Dit lijkt op een BSN: laat persoonsgegevens weg',
  birth_date: 'Dit lijkt op een geboortedatum: noem alleen een leeftijd',
  phone: 'Dit lijkt op een telefoonnummer: laat contactgegevens weg',
  email: 'Dit lijkt op een e-mailadres: laat contactgegevens weg',
  postcode: 'Dit lijkt op een postcode: laat adressen weg',
  street: 'Dit lijkt op een adres: laat adressen weg',
};

/** The elfproef of a BSN: 9·d1 + 8·d2 + … + 2·d8 − d9 is a multiple of 11 (and not 0). */
export function passesElfproef(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i);
  sum -= Number(digits[8]);
  return sum % 11 === 0 && sum !== 0;
}

const MONTHS =
  'jan(?:uari)?|feb(?:ruari)?|mrt|maart|apr(?:il)?|mei|jun(?:i)?|jul(?:i)?|aug(?:ustus)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const STREET_SUFFIX =
  'straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|steeg|markt|park|ring|baan|wal|plantsoen|erf|veld|burg|haven';

const patterns: Array<[NoteIssue, RegExp]> = [
  ['email', /[^\s@]+@[^\s@]+\.[a-z]{2,}/i],
  // +31 6 12345678, 06-12345678, 010 1234567: ten digits in Dutch notation.
  ['phone', /(?:\+31|0031|\b0)[\s-]?(?:\(0\)[\s-]?)?[1-9](?:[\s-]?\d){8}\b/],
  // 1234 AB (upper case, as written on letters) or 1234ab.
  ['postcode', /\b[1-9]\d{3}\s?[A-Z]{2}\b|\b[1-9]\d{3}[a-z]{2}\b/],
  ['street', new RegExp(`\\b[a-z]+(?:${STREET_SUFFIX})\\s+\\d+\\s?[a-z]?\\b`, 'i')],
  ['birth_date', new RegExp(`\\b(?:geb(?:oren)?\\.?|geboortedatum|dob)\\b`, 'i')],
];

const numericDate =
  /\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b|\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g;
const writtenDate = new RegExp(`\\b\\d{1,2}\\s+(?:${MONTHS})\\.?\\s+(\\d{4})\\b`, 'gi');

/**
 * A full date (day, month and year) in a past year reads as a date of birth; a date this
 * year or later ("komt 24-11") is an appointment and passes.
 */
function hasBirthDate(text: string, now: Date): boolean {
  const thisYear = now.getFullYear();
  const past = (year: number) => year >= 1900 && year < thisYear;
  for (const m of text.matchAll(numericDate)) {
    const raw = m[3] ?? m[4]!;
    const year = raw.length === 2 ? 1900 + Number(raw) + (Number(raw) < 30 ? 100 : 0) : Number(raw);
    if (past(year)) return true;
  }
  for (const m of text.matchAll(writtenDate)) if (past(Number(m[1]))) return true;
  return false;
}

/** The first kind of personal data the text seems to hold, or null when it looks clean. */
export function screenNote(text: string, now: Date = new Date()): NoteIssue | null {
  for (const m of text.matchAll(/\d(?:[\s.-]?\d){8,}/g)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length === 9 && passesElfproef(digits)) return 'bsn';
  }
  for (const [issue, pattern] of patterns) if (pattern.test(text)) return issue;
  if (hasBirthDate(text, now)) return 'birth_date';
  return null;
}
