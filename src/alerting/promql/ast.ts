import type { Matcher } from './storage.ts';

/** Static type of a PromQL expression. */
export type ValueType = 'scalar' | 'string' | 'vector' | 'matrix';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type AggregateOp =
  | 'sum'
  | 'count'
  | 'min'
  | 'max'
  | 'avg'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values';

export interface NumberLiteral {
  kind: 'number';
  value: number;
}

export interface StringLiteral {
  kind: 'string';
  value: string;
}

export interface VectorSelector {
  kind: 'vector';
  /** Metric name if written as an identifier (it is also present in `matchers` as __name__="..."). */
  name?: string;
  matchers: Matcher[];
  offsetMs: number;
}

export interface MatrixSelector {
  kind: 'matrix';
  selector: VectorSelector;
  rangeMs: number;
}

export interface UnaryExpr {
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
}

export interface VectorMatching {
  /** one-to-one, many-to-one (group_left) or one-to-many (group_right). */
  card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  /** true: `on(labels)`, false: `ignoring(labels)` (the default is ignoring()). */
  on: boolean;
  labels: string[];
  /** Extra labels copied from the "one" side with group_left/group_right. */
  include: string[];
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** The `bool` modifier of comparisons. */
  bool: boolean;
  /** Set only when both sides are instant vectors. */
  matching?: VectorMatching;
}

export interface AggregateExpr {
  kind: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  /** k for topk/bottomk, φ for quantile, the label name (a string literal) for count_values. */
  param?: Expr;
  grouping: string[];
  without: boolean;
}

export interface CallExpr {
  kind: 'call';
  func: string;
  args: Expr[];
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | CallExpr;

export class PromQLError extends Error {
  /** 0-based character offset into the expression, when known. */
  readonly position?: number;
  constructor(message: string, position?: number, expr?: string) {
    let where = '';
    if (position !== undefined && expr !== undefined) {
      const before = expr.slice(0, position).split('\n');
      where = ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
    }
    super(position !== undefined ? `${message} at position ${position}${where}` : message);
    this.name = 'PromQLError';
    this.position = position;
  }
}
