"""文件管理: documents uploaded by staff, read and previewed, published into a new index build
in the background, replaced and retired, every version kept (see docs/office.md)."""
