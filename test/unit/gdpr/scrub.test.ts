import { describe, expect, it } from 'vitest';
import {
  ERASED_MARK,
  identifyingStrings,
  pseudonymOf,
  scrubDocument,
  scrubRecord,
  scrubText,
} from '../../../functions/modules/gdpr/scrub.js';

const subject = {
  name: 'Nováková Jana',
  firstName: 'Jana',
  lastName: 'Nováková',
  nationalId: '8551011234',
  taxId: null,
  email: 'jana@example.cz',
  phone: '+420777123456',
};

describe('data subject scrubbing', () => {
  it('cuts the name in either order, accented or not, and the phone out of free text, case-insensitively', () => {
    const strings = identifyingStrings(subject);
    expect(scrubText('Called JANA NOVÁKOVÁ on +420777123456; novakova agreed', strings)).toBe(
      `Called ${ERASED_MARK} on ${ERASED_MARK}; ${ERASED_MARK} agreed`,
    );
    expect(scrubText('Renewal of the car', strings)).toBe('Renewal of the car');
  });

  it('clears personal fields, gives name fields the pseudonym, and keeps storage keys and ids', () => {
    const strings = identifyingStrings(subject);
    const record = {
      pk: 'T#t#CLIENT#Nováková',
      id: '01ABC',
      holderName: 'Nováková Jana',
      email: 'jana@example.cz',
      summary: 'Note about Jana',
      nested: [{ text: 'jana@example.cz wrote' }],
      premium: { amount: '12000.00', currency: 'CZK' },
    };
    expect(scrubRecord(record, strings, 'Erased client x', new Set(['pk', 'id']))).toEqual({
      pk: 'T#t#CLIENT#Nováková',
      id: '01ABC',
      holderName: 'Erased client x',
      email: null,
      summary: `Note about ${ERASED_MARK}`,
      nested: [{ text: `${ERASED_MARK} wrote` }],
      premium: { amount: '12000.00', currency: 'CZK' },
    });
  });

  it('derives the same pseudonym for the same client and another for another tenant', () => {
    expect(pseudonymOf('t1', 'c1')).toBe(pseudonymOf('t1', 'c1'));
    expect(pseudonymOf('t2', 'c1')).not.toBe(pseudonymOf('t1', 'c1'));
    expect(pseudonymOf('t1', 'c1')).toMatch(/^Erased client [0-9a-f]{10}$/);
  });
});

describe('scrubbing an archived batch that names several people', () => {
  it("clears the person's holder record and cuts their values from free text, leaving another holder as it was", () => {
    const other = { firstName: 'Petr', lastName: 'Jiný', nationalId: '7001015555', email: 'petr@example.cz' };
    const batch = {
      events: [
        {
          id: 'e1',
          data: {
            policyNumber: 'P-1',
            holder: { ...subject, birthDate: '1985-01-01', address: { city: 'Brno' } },
          },
        },
        { id: 'e2', data: { policyNumber: 'P-2', holder: other, note: 'agent Jana Nováková called' } },
      ],
    };
    const pseudonym = pseudonymOf('t1', 'c1');
    const scrubbed = scrubDocument(
      batch,
      identifyingStrings(subject),
      [subject.nationalId, subject.email],
      pseudonym,
    );
    const [first, second] = (scrubbed as typeof batch).events;
    expect(first?.data.policyNumber).toBe('P-1');
    expect(first?.data.holder).toMatchObject({
      name: pseudonym,
      firstName: null,
      nationalId: null,
      email: null,
      phone: null,
      birthDate: null,
      address: null,
    });
    expect(second?.data.holder).toEqual(other);
    expect(second?.data.note).toBe(`agent ${ERASED_MARK} called`);
  });
});
