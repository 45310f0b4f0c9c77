// The rows of an answer: sortable by any column, paginated when long, values formatted.
import { useMemo, useState } from "react";
import type { ResultTable as Table } from "../api/types";
import { columnKinds } from "../lib/columns";
import { columnFormat, formatCell } from "../lib/format";
import { nextSort, sortRows, type SortState } from "../lib/sort";
import { TablePagination } from "./TablePagination";

interface ResultTableProps {
  table: Table;
  caption: string;
  initialPageSize?: number;
}

export function ResultTable({ table, caption, initialPageSize = 25 }: ResultTableProps) {
  const { columns, rows } = table;
  const [sort, setSort] = useState<SortState | null>(null);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(initialPageSize);

  const formats = useMemo(() => {
    const kinds = columnKinds(columns, rows);
    return columns.map((name, index) => columnFormat(name, kinds[index] ?? "text", rows, index));
  }, [columns, rows]);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  const current = Math.min(page, pages - 1);
  const visible = sorted.slice(current * pageSize, (current + 1) * pageSize);

  const onSort = (column: number) => {
    setSort((state) => nextSort(state, column));
    setPage(0);
  };

  return (
    <div className="result-table" data-testid="result-table">
      <div className="table-scroll" tabIndex={0} role="region" aria-label={`${caption} (scrollable)`}>
        <table>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((name, index) => {
                const direction = sort?.column === index ? sort.direction : undefined;
                const numeric = formats[index]?.kind === "number";
                return (
                  <th key={`${index}-${name}`} scope="col" aria-sort={direction ?? "none"} className={numeric ? "numeric" : undefined}>
                    <button type="button" className="sort-button" onClick={() => onSort(index)}>
                      {name}
                      <span aria-hidden="true" className="sort-mark">
                        {direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕"}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row, rowIndex) => (
              <tr key={current * pageSize + rowIndex}>
                {columns.map((name, index) => {
                  const format = formats[index];
                  const value = row[index];
                  return (
                    <td
                      key={`${index}-${name}`}
                      className={[format?.kind === "number" ? "numeric" : "", value === null || value === undefined ? "empty" : ""].join(" ").trim() || undefined}
                      title={value === null || value === undefined ? "empty" : String(value)}
                    >
                      {format ? formatCell(value, format) : String(value ?? "")}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted.length > Math.min(pageSize, initialPageSize) && (
        <TablePagination
          page={current}
          pageSize={pageSize}
          total={sorted.length}
          onPage={setPage}
          onPageSize={(size) => {
            setPageSize(size);
            setPage(0);
          }}
        />
      )}
    </div>
  );
}
