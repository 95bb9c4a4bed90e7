-- The seed list of agencies (data/reference/serang_opd.csv); the admin API keeps the real list.
INSERT INTO opds (code, short_name, name) VALUES
    ('DISKOMINFOSATIK', 'Diskominfosatik', 'Dinas Komunikasi, Informatika, Persandian dan Statistik'),
    ('DISDUKCAPIL', 'Disdukcapil', 'Dinas Kependudukan dan Pencatatan Sipil'),
    ('DPMPTSP', 'DPMPTSP', 'Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu'),
    ('DPUPR', 'DPUPR', 'Dinas Pekerjaan Umum dan Penataan Ruang'),
    ('DISPERKIM', 'Disperkim', 'Dinas Perumahan Rakyat dan Kawasan Permukiman'),
    ('DLH', 'DLH', 'Dinas Lingkungan Hidup'),
    ('DISHUB', 'Dishub', 'Dinas Perhubungan'),
    ('DINKES', 'Dinkes', 'Dinas Kesehatan'),
    ('DINDIKBUD', 'Dindikbud', 'Dinas Pendidikan dan Kebudayaan'),
    ('DINSOS', 'Dinsos', 'Dinas Sosial'),
    ('SATPOLPP', 'Satpol PP', 'Satuan Polisi Pamong Praja'),
    ('BPBD', 'BPBD', 'Badan Penanggulangan Bencana Daerah'),
    ('DISNAKER', 'Disnaker', 'Dinas Tenaga Kerja'),
    ('DPMD', 'DPMD', 'Dinas Pemberdayaan Masyarakat dan Desa'),
    ('DISPERINDAG', 'Disperindag', 'Dinas Perindustrian dan Perdagangan'),
    ('DISKOPUKM', 'Diskop UKM', 'Dinas Koperasi dan Usaha Kecil Menengah'),
    ('DISTAN', 'Distan', 'Dinas Pertanian');
