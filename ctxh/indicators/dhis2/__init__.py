"""Exchange with DHIS2: `dataValueSets` export (JSON, CSV) and import, with code mappings (idScheme=code).

- `mapping`: ctxh code <-> DHIS2 code through `Dhis2Mapping` rows (identity when there is no row);
- `export`: `data_value_set(...)`, the aggregate values and the indicator facts in DHIS2's format;
- `imports`: `import_data_value_set(...)`, a DHIS2 payload written through the aggregate entry service.

See docs/dhis2.md.
"""
