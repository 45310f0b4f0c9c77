// CSV export of a result (RFC 4180: comma separated, CRLF lines, quotes doubled).
import type { Cell } from "../api/types";

// A text cell starting with these runs as a formula in spreadsheet programs (CSV injection);
// a leading apostrophe keeps it text. Numbers are numbers in JSON, so "-5" text is rare.
const FORMULA_START = /^[=+\-@\t\r]/;

function field(value: Cell | undefined): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : String(value);
  if (typeof value === "string" && FORMULA_START.test(text) && !/^-?\d/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  const lines = [columns.map(field).join(",")];
  for (const row of rows) {
    lines.push(columns.map((_, index) => field(row[index])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name from the question: "Top 5 customers?" → "top-5-customers.csv". */
export function csvFileName(question: string): string {
  const slug = question
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || "talk2tables-result"}.csv`;
}

/** Starts a download of `text` as a file; returns false where the browser cannot. */
export function downloadText(text: string, fileName: string, mime = "text/csv;charset=utf-8"): boolean {
  if (typeof URL.createObjectURL !== "function") return false;
  // A byte order mark makes spreadsheet programs read the file as UTF-8.
  const blob = new Blob(["\ufeff", text], { type: mime });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return true;
}
