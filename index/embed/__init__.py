"""The embedding runtime: texts → vectors through torch, ONNX Runtime or a model process."""
