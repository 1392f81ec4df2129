"""What enters and leaves the store as files: JSONL import and export, CSV and XLSX, the
incremental sync batches and their manifests, pseudonymisation, the files given to read and
write.
"""
