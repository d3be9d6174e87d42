# Not imported by train.py: neither its functions nor its packages count.
import matplotlib.pyplot as plt
import torch.nn as nn

act = nn.SELU()
plt.show()
