"""The learned verifier: data, in-domain minimal-edit pairs, cross-encoder training, calibration, export."""
