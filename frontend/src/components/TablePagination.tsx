// Page controls under a long result: previous/next, the page shown, rows per page.

const PAGE_SIZES = [10, 25, 50, 100] as const;

interface TablePaginationProps {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}

export function TablePagination({ page, pageSize, total, onPage, onPageSize }: TablePaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  const fmt = new Intl.NumberFormat();
  return (
    <nav className="pagination" aria-label="Result pages">
      <button type="button" className="button button-small" onClick={() => onPage(page - 1)} disabled={page === 0} aria-label="Previous page">
        ‹ Prev
      </button>
      <span className="pagination-status" aria-live="polite" data-testid="page-status">
        Rows {fmt.format(first)}–{fmt.format(last)} of {fmt.format(total)} · page {page + 1} of {pages}
      </span>
      <button
        type="button"
        className="button button-small"
        onClick={() => onPage(page + 1)}
        disabled={page >= pages - 1}
        aria-label="Next page"
      >
        Next ›
      </button>
      <label className="pagination-size">
        <span>Rows per page</span>
        <select value={pageSize} onChange={(event) => onPageSize(Number(event.target.value))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
