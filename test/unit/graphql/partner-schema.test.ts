import {
  buildSchema,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';
import { PARTNER_FIELDS } from '../../support/partner-fields.js';

/**
 * Partners see their deals and never a person's data: every type reachable from a field a partner
 * may call has none of these fields, so no query path, however nested, can return one. Client
 * personal data (names, ids, contacts, birth date, address), the client's financial data (premium,
 * balances, invoices, payments) and what would let one derive the premium (a line's base or rate).
 */
const PERSONAL_OR_FINANCIAL = [
  'firstName',
  'lastName',
  'holderName',
  'clientName',
  'companyName',
  'nationalId',
  'taxId',
  'birthDate',
  'email',
  'phone',
  'address',
  'street',
  'iban',
  'bankAccount',
  'payer',
  'premium',
  'balance',
  'outstanding',
  'base',
  'previousBase',
  'rate',
  'formula',
  'policyNumber',
  'invoices',
  'payments',
];

/**
 * `me.user` is the caller's own user record (their own name and login, not a client's), and
 * `tenant.supplier` the brokerage's own registered name, address and bank account, printed on every
 * invoice it sends: the two edges the walk does not follow.
 */
const OWN_RECORD = new Set(['Viewer.user', 'Tenant.supplier']);

const schema = buildSchema(typeDefs);

function reachable(): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (type: GraphQLNamedType, path: string) => {
    if (seen.has(type.name)) return;
    if (!isObjectType(type) && !isInterfaceType(type) && !isUnionType(type)) return;
    seen.set(type.name, path);
    if (isUnionType(type)) {
      for (const member of type.getTypes()) visit(member, `${path}<${member.name}>`);
      return;
    }
    for (const field of Object.values(type.getFields())) {
      if (OWN_RECORD.has(`${type.name}.${field.name}`)) continue;
      visit(getNamedType(field.type), `${path}.${field.name}`);
    }
  };
  for (const [root, fields] of Object.entries(PARTNER_FIELDS)) {
    const rootType =
      root === 'Query'
        ? schema.getQueryType()
        : root === 'Mutation'
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    for (const name of fields) {
      const field = rootType?.getFields()[name];
      if (!field) throw new Error(`${root}.${name} is not in the schema`);
      visit(getNamedType(field.type), `${root}.${name}`);
    }
  }
  return seen;
}

describe('the partner schema', () => {
  it('reaches no personal or financial field from any field a partner may call', () => {
    const offenders: string[] = [];
    for (const [typeName, path] of reachable()) {
      const type = schema.getType(typeName);
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.keys(type.getFields())) {
        if (PERSONAL_OR_FINANCIAL.includes(field)) offenders.push(`${typeName}.${field} (via ${path})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('walks the partner types, and would catch the staff types', () => {
    const types = reachable();
    expect([...types.keys()]).toEqual(
      expect.arrayContaining([
        'ReferredClient',
        'PartnerCommissionLine',
        'PartnerPortalUser',
        'SubAgent',
        'CommissionAccrual',
        'PartnerLeadReceipt',
      ]),
    );
    for (const staffOnly of ['Client', 'Policy', 'CommissionLine', 'Invoice', 'User'])
      expect(types.has(staffOnly)).toBe(false);
    const client = schema.getType('Client');
    expect(
      isObjectType(client) &&
        Object.keys(client.getFields()).filter((f) => PERSONAL_OR_FINANCIAL.includes(f)),
    ).toEqual(expect.arrayContaining(['nationalId', 'email', 'phone']));
  });
});
