import mylib.nn as nn  # the project's own layers, not torch.nn
from sklearn.neighbors import NearestNeighbors
import torch

layer = nn.ReLU()  # mylib's ReLU: not a framework's
knn = NearestNeighbors(n_neighbors=3)
F = torch.nn.functional  # an alias made by assignment
y = F.elu(torch.randn(3))
nn2 = torch.nn
act = nn2.Hardtanh()
