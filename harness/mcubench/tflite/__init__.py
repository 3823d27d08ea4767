"""Imported .tflite models: read once (model.py, codegen.read_model), C generated per
operator family (emit.py and ops/, the registry), TFLite Micro's tables (tflm_tables.py).
"""
