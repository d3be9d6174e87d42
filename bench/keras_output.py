"""Prints N MiB of Keras-style progress output (TTY style: a \\r redraw per batch, a final line per
epoch), as fast as Python can, for bench/run_all.sh output."""
import sys

mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
batches = 100
parts = []
for b in range(1, batches + 1):
    bar = "=" * (b * 30 // batches - 1) + ">" + "." * (30 - b * 30 // batches)
    parts.append(f"\r{b:3d}/{batches} [{bar}] - ETA: 1s - loss: {1.0 / b:.4f} - accuracy: {0.5 + b / 400:.4f}")
epoch_body = "".join(parts) + (f"\r{batches}/{batches} [==============================] - 2s 15ms/step - loss: 0.2100"
                               " - accuracy: 0.9100 - val_loss: 0.2500 - val_accuracy: 0.8900\n")
out = sys.stdout.buffer
target = mib * 1024 * 1024
written, epoch = 0, 1
chunk = []
while written < target:
    head = f"Epoch {epoch}/100000\n"
    piece = (head + epoch_body).encode()
    chunk.append(piece)
    written += len(piece)
    epoch += 1
    if len(chunk) == 64:
        out.write(b"".join(chunk))
        chunk = []
out.write(b"".join(chunk))
out.flush()
