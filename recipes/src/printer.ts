/**
 * Canonical text of syntax-tree nodes: single spaces around operators, `, ` between arguments,
 * double-quoted strings, compact time units (`24h`) and spaced word units (`500 readings`).
 * The formatter prints statements with it; the checker uses it for default labels.
 */
import type { ArgumentNode, ConditionNode, Operand, Statement, StatisticStatement, WindowNode } from "./ast";

/** A string literal in canonical form. */
export function printString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A number or a name. */
export function printOperand(operand: Operand): string {
  return operand.type === "number" ? operand.text : `${operand.negative ? "-" : ""}${operand.name}`;
}

/** A condition: `temperature > 30`, `temperature between 18 and 24`. */
export function printCondition(condition: ConditionNode): string {
  if (condition.type === "between") {
    return `${printOperand(condition.subject)} between ${printOperand(condition.low)} and ${printOperand(condition.high)}`;
  }
  return `${printOperand(condition.left)} ${condition.operator} ${printOperand(condition.right)}`;
}

/** One argument of a statistic call. */
export function printArgument(arg: ArgumentNode): string {
  switch (arg.type) {
    case "number":
    case "name":
      return printOperand(arg);
    case "comparison":
    case "between":
      return printCondition(arg);
    case "where":
      return `${arg.subject.type === "number" || arg.subject.type === "name" ? printOperand(arg.subject) : printCondition(arg.subject)} where ${printCondition(arg.condition)}`;
    case "list":
      return `[${arg.items.map(printOperand).join(", ")}]`;
  }
}

/** A statistic call without its label: `count(temperature > hot)`. */
export function printCall(statement: StatisticStatement): string {
  return `${statement.name.name}(${statement.args.map(printArgument).join(", ")})`;
}

// Single-letter units read best glued to the number (24h, 30m); words read best spaced (500 readings).
const GLUED_UNITS = new Set(["s", "m", "h", "d", "w"]);

/** A window: `last 24h`, `last 500 readings`, `from 2026-11-01 to 2026-11-02`, `since last report`, `all`. */
export function printWindow(window: WindowNode): string {
  switch (window.type) {
    case "last":
      return `last ${window.amount.text}${GLUED_UNITS.has(window.unit.name) ? "" : " "}${window.unit.name}`;
    case "range":
      return `from ${window.from.text} to ${window.to.text}`;
    case "sinceLastReport":
      return "since last report";
    case "all":
      return "all";
  }
}

/** A whole statement on one line. */
export function printStatement(statement: Statement): string {
  switch (statement.type) {
    case "param":
      return `param ${statement.name.name} = ${statement.value.text}${statement.description ? ` ${printString(statement.description.value)}` : ""}`;
    case "from":
      return `from ${printString(statement.dataset.value)}${statement.window ? ` window ${printWindow(statement.window)}` : ""}`;
    case "privacy":
      return `privacy ${printOperand(statement.epsilon)}`;
    case "statistic":
      return `${printCall(statement)}${statement.privacy ? ` privacy ${printOperand(statement.privacy.epsilon)}` : ""}${statement.label ? ` as ${printString(statement.label.value)}` : ""}`;
  }
}
