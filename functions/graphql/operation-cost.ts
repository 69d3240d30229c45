import {
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination.js';

/**
 * How many fields an operation may resolve, estimated before anything runs. A field costs 1, an
 * object field 1 plus its selection, and a connection's `edges` list counts its selection once per
 * row of the page the connection asks for: `first` when it is a literal, the cap (100) when it is a
 * variable (its value is unknown at validation), the default page (20) when it is absent. Other lists
 * (a policy's instalments, a card's policies) count once: one item bounds them.
 *
 * Why not graphql-armor's cost limit: it grows 1.5× per nesting level and counts a list without a
 * literal `first` as one row, so one 100-row policy page with the names of its client, insurer and
 * advisors cost more (17,000) than fifteen 20-row user lists nested seven managers deep (7,700).
 * This estimate follows what resolvers read: the page costs ~3,800, the nested lists ~9,000.
 */
export function operationCost(
  context: Pick<ValidationContext, 'getDocument' | 'getSchema'>,
  operationSelection: SelectionSetNode,
  root: GraphQLNamedType,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const schema = context.getSchema();

  const selectionCost = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    rows: number,
    seen: Set<string>,
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) cost += fieldCost(selection, parent, rows, seen);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += selectionCost(selection.selectionSet, type ?? parent, rows, seen);
      } else {
        const fragment = fragments.get(selection.name.value);
        // A cycle is reported by NoFragmentCyclesRule; here it only must not loop.
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        cost += selectionCost(fragment.selectionSet, type, rows, new Set([...seen, fragment.name.value]));
      }
    }
    return cost;
  };

  /** `rows`: the page size of the connection whose selection this is (its `edges` multiply by it). */
  const fieldCost = (field: FieldNode, parent: GraphQLNamedType, rows: number, seen: Set<string>): number => {
    if (field.name.value.startsWith('__')) return 0;
    if (!field.selectionSet) return 1;
    const definition =
      isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined;
    // Unknown fields are FieldsOnCorrectTypeRule's to report.
    if (!definition) return 1;
    const type = getNamedType(definition.type);
    const unwrapped = isNonNullType(definition.type) ? definition.type.ofType : definition.type;
    const childRows = type.name.endsWith('Connection') ? pageSize(field) : 1;
    const itemCost = 1 + selectionCost(field.selectionSet, type, childRows, seen);
    return isListType(unwrapped) && parent.name.endsWith('Connection') ? itemCost * rows : itemCost;
  };

  return selectionCost(operationSelection, root, 1, new Set());
}

function pageSize(field: FieldNode): number {
  const first = field.arguments?.find((a) => a.name.value === 'first')?.value;
  if (!first || first.kind === Kind.NULL) return DEFAULT_PAGE_SIZE;
  if (first.kind === Kind.INT) return Math.max(1, Number.parseInt(first.value, 10));
  return MAX_PAGE_SIZE;
}

/** Refuses an operation whose {@link operationCost} exceeds `maxCost`, before anything resolves. */
export function costLimitRule(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation);
      if (!root) return;
      const cost = operationCost(context, operation.selectionSet, root);
      if (cost > maxCost) {
        context.reportError(
          new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost}.`, { nodes: [operation] }),
        );
      }
    },
  });
}
