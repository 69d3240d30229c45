/** The part of mt940js (a CommonJS package without types) the MT940 reader uses. */
declare module 'mt940js' {
  export interface Mt940Tag {
    id: number | string;
    data: string;
  }
  export interface Mt940Transaction {
    details: string;
    reference: string;
    structuredDetails?: Record<string, string>;
  }
  export interface Mt940Statement {
    transactionReference: string;
    accountIdentification: string;
    number: { statement: string; sequence: string };
    currency: string;
    transactions: Mt940Transaction[];
    tags?: Mt940Tag[];
  }
  const mt940js: {
    Parser: new (options?: {
      no86Structure?: boolean;
    }) => {
      parse(data: string, withTags?: boolean): Mt940Statement[];
    };
  };
  export default mt940js;
}
