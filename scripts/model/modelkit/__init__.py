"""Torch-free model building: read PyTorch checkpoints safely, write deterministic ONNX graphs.

Shared by build_efficientnet_lite0.py and build_resnet.py. Only numpy and onnx are needed.
"""
