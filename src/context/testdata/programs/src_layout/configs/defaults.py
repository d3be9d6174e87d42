CFG = dict(optimizer="adagrad", lr=0.01, loss="categorical_hinge", dropout=0.25)
