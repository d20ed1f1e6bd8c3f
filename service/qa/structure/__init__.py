"""Structure questions over the documents' trees (第N条/章/部分, 前一/后一, 一共几条)."""
