// Copy the rows as CSV, or download them as a .csv file.
import { useState } from "react";
import type { ResultTable } from "../api/types";
import { csvFileName, downloadText, toCsv } from "../lib/csv";
import { CopyButton } from "./CopyButton";

interface CsvActionsProps {
  table: ResultTable;
  question: string;
}

export function CsvActions({ table, question }: CsvActionsProps) {
  const [note, setNote] = useState("");
  const csv = toCsv(table.columns, table.rows);
  const onDownload = () => {
    const name = csvFileName(question);
    setNote(downloadText(csv, name) ? `Downloaded ${name}` : "This browser cannot download files; use Copy CSV instead.");
  };
  return (
    <div className="csv-actions">
      <CopyButton text={csv} label="Copy CSV" />
      <button type="button" className="button button-small" onClick={onDownload}>
        Download CSV
      </button>
      <span className="visually-hidden" role="status">
        {note}
      </span>
    </div>
  );
}
