from ml5.testing import DatasetContract


class TestMyFormat(DatasetContract):
    dataset_name = "myformat"

    def make_dataset(self, tmp_path):
        """Write a small copy of the real on-disk layout into tmp_path and return its folder."""
        raise NotImplementedError
