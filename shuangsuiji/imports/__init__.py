"""The shared Excel/CSV import machinery (导入): every register that imports (units, inspectors, items, experts)
uses it, and contributes only a row schema — an `Importer` subclass with its columns, row form, natural key and
comparison — plus a writer.

    spreadsheets.py  read_table (xlsx/xls/xlsb/ods/csv, with the cell and zip budget), write_xlsx, template_xlsx
                     (导入模板: 示例 and 可选值 sheets, drop-downs), errors_xlsx (错误明细),
                     safe_cell (formula injection)
    schema.py        Column, header matching, the Importer base (validate every row, plan
                     create/update/close/unchanged against the database, the cross-region refusal)
    columns.py       column-wise validation with the row form's own parts and messages; payload rows as columns
    batch.py         ImportBatchBase: the abstract batch model (the concrete `directory.ImportBatch` keeps its table)
    bulk.py          rows and audit snapshots straight from payload values for the 100,000-row path (written by
                     core.bulk.insert_rows: COPY on PostgreSQL, multi-row INSERT on SQLite), raw key lookups
    services.py      prepare (dry run, preview, change report), commit (all-or-nothing), cancel, sync (API)
    preview.py       the preview's row list: plan entries stored in chunks at prepare, read 50 rows a page

It is not a Django app: it owns no table. It depends on `core` only; registers depend on it, never the reverse.
"""
